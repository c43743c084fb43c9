/**
 * The page as the previous release built it (docs/PROTOCOL.md, "Versioning"):
 * the same source built with `TABMESH_BUILD_AS=previous`, which speaks the
 * protocol range one version lower and knows none of the deployments
 * (src/app/build-profile.ts). Two builds side by side is how a network meets
 * an upgrade: tabs that loaded days apart. Built into dist-previous/ (about
 * 3 s here) on every call, so it never lags the source it is compared with.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PREVIOUS_DIST_DIR = path.join(ROOT, 'dist-previous');

/** Builds the previous-release variant into dist-previous/; throws with vite's output when the build fails. */
export function buildPreviousRelease(): string {
  const build = spawnSync('npx', ['vite', 'build', '--outDir', PREVIOUS_DIST_DIR, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: ROOT, env: { ...process.env, TABMESH_BUILD_AS: 'previous' }, encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`building the previous release failed (${build.status ?? build.signal}):\n${build.stdout}${build.stderr}`);
  return PREVIOUS_DIST_DIR;
}
