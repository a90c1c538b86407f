-- Super (burst) reactions: a user may react to a message with an emoji once normally and once as a burst.
ALTER TABLE "reactions" DROP CONSTRAINT "reactions_pkey",
ADD COLUMN "burst" BOOLEAN NOT NULL DEFAULT false,
ADD CONSTRAINT "reactions_pkey" PRIMARY KEY ("message_id", "emoji", "user_id", "burst");
