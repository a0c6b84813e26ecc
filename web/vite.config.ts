// The front-desk app: `npm run build:web` writes web/dist, which the Punchcard server serves at `/`.
// `npx vite web` serves it with hot reload and sends /v1 to a server on PUNCHCARD_URL (default :8080).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  // The generated client of the repository (clients/typescript), used from its source.
  resolve: { alias: { '@punchcard/client': fileURLToPath(new URL('../clients/typescript/src/index.ts', import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/v1': process.env.PUNCHCARD_URL ?? 'http://localhost:8080' } },
});
