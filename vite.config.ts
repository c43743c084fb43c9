import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * Vite builds the page into dist/; `npm start` serves that folder beside the relay.
 *
 * The app shell (docs/ARCHITECTURE.md, "The app shell") is cached by a service
 * worker so a tab reloads, and its peer starts, while the server is down.
 * vite-plugin-pwa 2 declares Vite 8 in its peerDependencies and drives
 * Workbox's injectManifest after the page build, so the precache list always
 * names this build's hashed files. injectManifest rather than generateSW: the
 * navigation rule we want (network first, and on failure or after a timeout
 * the *precached* index.html) is a few lines of our own in src/sw.ts, where
 * generateSW's NetworkFirst would keep a second, per-URL copy of the page.
 */
/**
 * `TABMESH_BUILD_AS=previous npm run build` builds this code as the previous build (src/app/build-profile.ts;
 * docs/PROTOCOL.md, "Two builds side by side"). Checked here so a typo fails the build, not the page.
 */
const BUILD_AS = process.env.TABMESH_BUILD_AS ?? 'current';
if (BUILD_AS !== 'current' && BUILD_AS !== 'previous') throw new Error(`TABMESH_BUILD_AS must be current or previous, got ${JSON.stringify(BUILD_AS)}`);

export default defineConfig({
  define: { __TABMESH_BUILD_AS__: JSON.stringify(BUILD_AS) },
  plugins: [
    react(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts', // built to dist/sw.js; src/app/register-sw.ts registers that URL
      // The page registers the worker itself (production only, secure contexts only, failures to the page log).
      injectRegister: false,
      // Only the shell is wanted, not an installable app: no web manifest, no icons.
      manifest: false,
      // `npm run dev` serves modules straight from source: a service worker there would only serve stale code.
      devOptions: { enabled: false },
      injectManifest: {
        // Page, chunks (main, lazy views, verify and mine workers), styles, favicon. Source maps
        // (~3.3 MB) stay out: devtools fetches them from the server when it is up.
        globPatterns: ['**/*.{html,js,css,svg}'],
        globIgnores: ['sw.js'],
        // Workbox's default (2 MiB), stated: a larger file is left out with only a build warning. The main
        // chunk is ~0.5 MB; e2e/offline-shell.spec.ts checks the page, main chunk and both workers are cached.
        maximumFileSizeToCacheInBytes: 2 * 1024 * 1024,
        rollupFormat: 'iife', // a classic worker script: registered without {type: 'module'}, which older browsers lack
      },
    }),
  ],
  build: { target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
});
