import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Vite builds the page into dist/; `npm start` serves that folder beside the relay. */
export default defineConfig({
  plugins: [react()],
  build: { target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
});
