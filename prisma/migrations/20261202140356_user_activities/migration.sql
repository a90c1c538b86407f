-- AlterTable
ALTER TABLE "users" ADD COLUMN     "activities" JSONB NOT NULL DEFAULT '[]';
