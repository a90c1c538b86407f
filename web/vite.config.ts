// `npm run build` bundles the app into web/dist, which the server serves at `/`
// (server/http/static-site.ts). `npm run dev` (at the top level) runs this dev server with hot
// reload next to the API server and forwards the API paths to it.
import { createRequire } from 'node:module';
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// shared/permissions.ts takes PermissionFlagsBits from discord-api-types/v10, whose ESM entry
// re-exports one CommonJS module of every enum of the API (~25 KiB gzipped that cannot be
// tree-shaken). The browser needs only that one object, defined in payloads/common.js.
const discordApiTypes = path.dirname(createRequire(import.meta.url).resolve('discord-api-types/v10'));

const api = `http://127.0.0.1:${process.env.SERVER_PORT || 8080}`;

export default defineConfig({
  plugins: [react()],
  resolve: { alias: [{ find: /^discord-api-types\/v10$/, replacement: path.join(discordApiTypes, 'payloads/common.js') }] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0 },
  server: {
    port: Number(process.env.WEB_DEV_PORT || 5173),
    proxy: {
      '/trpc': { target: api, ws: true },
      '/auth/session': { target: api },
      '/api': { target: api },
      '/gateway': { target: api, ws: true },
      '/health': { target: api },
    },
  },
});
