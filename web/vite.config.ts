// The front-desk app: `npm run build:web` writes web/dist, which the Punchcard server serves at `/`.
// `npx vite web` serves it with hot reload and sends /v1 to a server on PUNCHCARD_URL (default :8080).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/v1': process.env.PUNCHCARD_URL ?? 'http://localhost:8080' } },
});
