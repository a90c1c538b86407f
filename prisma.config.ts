// Prisma CLI configuration (migrate, studio). Reads process.env directly: prisma's env() throws
// when DATABASE_URL is unset, and `npm run studio` sets it itself for the embedded database.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
