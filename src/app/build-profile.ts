/**
 * Which build this page is (docs/PROTOCOL.md, "Versioning", "Two builds side
 * by side"). `TABMESH_BUILD_AS=previous npm run build` builds the same code as
 * the *previous* build: its protocol range ends one version lower and it
 * advertises no feature bits, so tests can serve two builds side by side and
 * watch them link, exchange transactions and agree on the chain. vite.config.ts
 * turns the environment variable into __TABMESH_BUILD_AS__; only src/app
 * reads it, here, and hands the result to the peer (start-peer.ts).
 */
import { PROTOCOL_VERSION_MAX, PROTOCOL_VERSION_MIN, type ProtocolRange } from '../core/protocol-version.ts';

declare const __TABMESH_BUILD_AS__: string | undefined;

export const BUILD_NAMES = ['current', 'previous'] as const;
export type BuildName = (typeof BUILD_NAMES)[number];

export interface BuildProfile {
  name: BuildName;
  /** NodeInit.protocol: undefined runs this build's own range and the features of its modules. */
  protocol?: ProtocolRange;
  /**
   * Whether this build knows the ledger's deployments (issue 25 part 2). The previous build does not: it
   * follows the chain as a build from before the deployment would: app.ts hands the ledger parameters
   * without deployments to startPeer (ledger-params.ts).
   */
  knowsDeployments: boolean;
}

/** The profile of a build by name; throws for a name that is not a build (a typo in TABMESH_BUILD_AS). */
export function buildProfile(name: string): BuildProfile {
  if (name === 'current') return { name, knowsDeployments: true };
  if (name === 'previous') {
    const max = PROTOCOL_VERSION_MAX - 1;
    return { name, protocol: { min: Math.min(PROTOCOL_VERSION_MIN, max), max, features: 0 }, knowsDeployments: false };
  }
  throw new RangeError(`TABMESH_BUILD_AS must be one of ${BUILD_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
}

/** This page's build: the one vite.config.ts defined, or 'current' where nothing was (vitest, the dev server without the variable). */
export const BUILD_PROFILE: BuildProfile = buildProfile(typeof __TABMESH_BUILD_AS__ === 'string' ? __TABMESH_BUILD_AS__ : 'current');
