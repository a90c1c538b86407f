-- CreateTable
CREATE TABLE "message_nonces" (
    "channel_id" BIGINT NOT NULL,
    "author_id" BIGINT NOT NULL,
    "nonce" TEXT NOT NULL,
    "message_id" BIGINT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_nonces_pkey" PRIMARY KEY ("channel_id","author_id","nonce")
);

-- CreateIndex
CREATE INDEX "message_nonces_created_at_idx" ON "message_nonces"("created_at");

-- CreateIndex
CREATE INDEX "message_nonces_message_id_idx" ON "message_nonces"("message_id");

-- AddForeignKey
ALTER TABLE "message_nonces" ADD CONSTRAINT "message_nonces_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;
