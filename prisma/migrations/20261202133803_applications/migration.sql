-- Applications: every bot belongs to one, with the bot user's id as its id (as on Discord).

-- CreateTable
CREATE TABLE "applications" (
    "id" BIGINT NOT NULL,
    "owner_id" BIGINT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "icon" TEXT,
    "flags" INTEGER NOT NULL DEFAULT 0,
    "bot_public" BOOLEAN NOT NULL DEFAULT true,
    "verify_key" TEXT,
    "private_key" TEXT,
    "interactions_endpoint_url" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "applications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "applications_owner_id_idx" ON "applications"("owner_id");

-- AddForeignKey
ALTER TABLE "applications" ADD CONSTRAINT "applications_id_fkey" FOREIGN KEY ("id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "applications" ADD CONSTRAINT "applications_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Existing bots get their application, named after the bot and owned by the bot's creator (a bot
-- without a recorded creator owns itself). Their key pair is generated on first use: SQL has no
-- Ed25519.
INSERT INTO "applications" ("id", "owner_id", "name", "created_at")
SELECT "id", COALESCE("bot_owner_id", "id"), "username", "created_at" FROM "users" WHERE "bot";

-- The owner now lives on the application.
ALTER TABLE "users" DROP CONSTRAINT "users_bot_owner_id_fkey";
ALTER TABLE "users" DROP COLUMN "bot_owner_id";

-- Managed roles of bots (Discord's tags.bot_id): one per bot and guild.
ALTER TABLE "roles" ADD COLUMN "bot_id" BIGINT;
CREATE UNIQUE INDEX "roles_guild_id_bot_id_key" ON "roles"("guild_id", "bot_id");
ALTER TABLE "roles" ADD CONSTRAINT "roles_bot_id_fkey" FOREIGN KEY ("bot_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
