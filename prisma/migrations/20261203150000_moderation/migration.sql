-- AlterTable
ALTER TABLE "members" ADD COLUMN     "communication_disabled_until" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "bans" (
    "guild_id" BIGINT NOT NULL,
    "user_id" BIGINT NOT NULL,
    "reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bans_pkey" PRIMARY KEY ("guild_id","user_id")
);

-- CreateTable
CREATE TABLE "audit_log_entries" (
    "id" BIGINT NOT NULL,
    "guild_id" BIGINT NOT NULL,
    "user_id" BIGINT NOT NULL,
    "target_id" BIGINT,
    "action_type" INTEGER NOT NULL,
    "changes" JSONB NOT NULL DEFAULT '[]',
    "options" JSONB,
    "reason" TEXT,

    CONSTRAINT "audit_log_entries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_log_entries_guild_id_id_idx" ON "audit_log_entries"("guild_id", "id" DESC);

-- AddForeignKey
ALTER TABLE "bans" ADD CONSTRAINT "bans_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bans" ADD CONSTRAINT "bans_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_log_entries" ADD CONSTRAINT "audit_log_entries_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

