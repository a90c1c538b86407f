-- CreateTable
CREATE TABLE "guild_emojis" (
    "id" BIGINT NOT NULL,
    "guild_id" BIGINT NOT NULL,
    "name" TEXT NOT NULL,
    "image" TEXT NOT NULL,
    "animated" BOOLEAN NOT NULL DEFAULT false,
    "creator_id" BIGINT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "guild_emojis_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "guild_emojis_guild_id_idx" ON "guild_emojis"("guild_id");

-- AddForeignKey
ALTER TABLE "guild_emojis" ADD CONSTRAINT "guild_emojis_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "guild_emojis" ADD CONSTRAINT "guild_emojis_creator_id_fkey" FOREIGN KEY ("creator_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

