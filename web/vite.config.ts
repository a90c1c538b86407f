// `npm run build` bundles the app into web/dist, which the server serves at `/`
// (server/http/static-site.ts). `npm run dev` (at the top level) runs this dev server with hot
// reload next to the API server and forwards the API paths to it.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = `http://127.0.0.1:${process.env.SERVER_PORT || 8080}`;

export default defineConfig({
  plugins: [react()],
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
