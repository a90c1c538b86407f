-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "embeds" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "flags" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "mention_everyone" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "mention_role_ids" BIGINT[] DEFAULT ARRAY[]::BIGINT[],
ADD COLUMN     "mention_user_ids" BIGINT[] DEFAULT ARRAY[]::BIGINT[];

-- CreateTable
CREATE TABLE "pins" (
    "message_id" BIGINT NOT NULL,
    "channel_id" BIGINT NOT NULL,
    "pinned_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pins_pkey" PRIMARY KEY ("message_id")
);

-- CreateTable
CREATE TABLE "reactions" (
    "message_id" BIGINT NOT NULL,
    "emoji" TEXT NOT NULL,
    "user_id" BIGINT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reactions_pkey" PRIMARY KEY ("message_id","emoji","user_id")
);

-- CreateIndex
CREATE INDEX "pins_channel_id_pinned_at_idx" ON "pins"("channel_id", "pinned_at" DESC);

-- CreateIndex
CREATE INDEX "reactions_user_id_idx" ON "reactions"("user_id");

-- AddForeignKey
ALTER TABLE "pins" ADD CONSTRAINT "pins_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reactions" ADD CONSTRAINT "reactions_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reactions" ADD CONSTRAINT "reactions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
