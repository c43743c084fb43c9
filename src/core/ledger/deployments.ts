/**
 * Consensus changes activated by miners (docs/PROTOCOL.md, "Deployments"):
 * BIP9 version bits, counted by height instead of median time (as BIP8).
 *
 * The header's version byte carries the signal: top three bits 001 (0x20)
 * and one of the five low bits per deployment, BIP9's layout cut to the one
 * byte tabmesh headers have. A version with other top bits (1, the genesis
 * version, among them) is valid and signals nothing.
 *
 * Each deployment moves through DEFINED → STARTED → LOCKED_IN → ACTIVE, or
 * STARTED → FAILED, and only where a window of `window` heights starts: the
 * state of every block of window k follows from the state of window k − 1
 * and how many of its blocks signalled. So the state is a pure function of
 * the header chain, and it is cached under the hash of the last block of
 * each window: a reorg that swaps that block swaps the key, which makes
 * states right across reorgs by construction. Nothing is stored: on start
 * the ledger rebuilds its header index from stored headers, and the states
 * follow from it on first use (one pass over the headers).
 */
import { InvalidArgumentError } from '../result.ts';
import type { BlockHash } from '../types.ts';
import { MINFEE2, type ChainParams, type Deployment } from './params.ts';

/** BIP9's VERSIONBITS_TOP_MASK, for one byte: the bits that say whether a version signals at all. */
export const VERSION_TOP_MASK = 0xe0;
/** BIP9's VERSIONBITS_TOP_BITS, for one byte: a signalling version is 0x20 | bits. */
export const VERSION_TOP_BITS = 0x20;
/** Signal bits below the top three: at most five deployments signal at once. */
export const VERSION_SIGNAL_BITS = 5;
/** The fee every transfer in a block pays at least once minfee2 is ACTIVE (params.minFee is 1 before). */
export const MINFEE2_MIN_FEE = 2;

export type DeploymentState = 'DEFINED' | 'STARTED' | 'LOCKED_IN' | 'ACTIVE' | 'FAILED';

/** What the tracker reads of a block: its hash, height, version and parent (HeaderEntry fits). */
export interface ChainPoint {
  readonly hash: BlockHash;
  readonly height: number;
  readonly header: { readonly version: number };
  readonly parent: ChainPoint | undefined;
}

/** A deployment as the next block sees it, with the current window's signalling so far. */
export interface DeploymentStatus {
  name: string;
  bit: number;
  /** The state the next block is held to. */
  state: DeploymentState;
  startHeight: number;
  timeoutHeight: number;
  window: number;
  threshold: number;
  /** Blocks of the next block's window already on the chain. */
  elapsed: number;
  /** How many of them signal this deployment's bit. */
  count: number;
  /** count / elapsed; 0 at a window's start. */
  share: number;
  /** Whether this window can still reach the threshold (BIP9's getdeploymentinfo "possible"). */
  possible: boolean;
}

/** True when `version` signals `bit`: top bits 001 and the bit set. */
export function signalsBit(version: number, bit: number): boolean {
  return (version & VERSION_TOP_MASK) === VERSION_TOP_BITS && ((version >> bit) & 1) === 1;
}

/**
 * The state of the window starting at `windowStartHeight`, from the state of the window
 * before and how many of its blocks signalled. Lock-in is checked before the timeout, as
 * Bitcoin Core does since Speedy Trial: a window that reaches the threshold counts even
 * when it is the last one.
 */
export function nextDeploymentState(state: DeploymentState, deployment: Readonly<Deployment>, count: number, windowStartHeight: number): DeploymentState {
  switch (state) {
    case 'DEFINED':
      if (windowStartHeight >= deployment.timeoutHeight) return 'FAILED';
      return windowStartHeight >= deployment.startHeight ? 'STARTED' : 'DEFINED';
    case 'STARTED':
      if (count >= deployment.threshold) return 'LOCKED_IN';
      return windowStartHeight >= deployment.timeoutHeight ? 'FAILED' : 'STARTED';
    case 'LOCKED_IN':
      return 'ACTIVE';
    case 'ACTIVE':
    case 'FAILED':
      return state;
  }
}

function assertDeployments(deployments: readonly Readonly<Deployment>[]): void {
  const names = new Set<string>();
  const bits = new Set<number>();
  for (const d of deployments) {
    const where = `deployment ${String(d.name)}`;
    if (typeof d.name !== 'string' || d.name.length === 0 || names.has(d.name)) throw new InvalidArgumentError(`${where}: name must be a non-empty, unique string`);
    // One bit per deployment: BIP9 lets a bit serve again after its deployment ends, not needed yet.
    if (!Number.isInteger(d.bit) || d.bit < 0 || d.bit >= VERSION_SIGNAL_BITS || bits.has(d.bit)) throw new InvalidArgumentError(`${where}: bit must be a unique integer in [0, ${VERSION_SIGNAL_BITS - 1}]`);
    if (!Number.isSafeInteger(d.window) || d.window < 1) throw new InvalidArgumentError(`${where}: window must be a positive integer`);
    if (!Number.isSafeInteger(d.threshold) || d.threshold < 1 || d.threshold > d.window) throw new InvalidArgumentError(`${where}: threshold must be an integer in [1, window]`);
    // Any height works (a state changes only where a window starts); the shipped schedules use window edges.
    for (const [field, value] of [['startHeight', d.startHeight], ['timeoutHeight', d.timeoutHeight]] as const) {
      if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(`${where}: ${field} must be a non-negative integer`);
    }
    if (d.timeoutHeight < d.startHeight) throw new InvalidArgumentError(`${where}: timeoutHeight must not be below startHeight`);
    names.add(d.name);
    bits.add(d.bit);
  }
}

export interface DeploymentTracker {
  readonly deployments: readonly Readonly<Deployment>[];
  /** The state of the deployment named `name` for the child of `parent`; throws for a name this build does not know. */
  stateFor(parent: ChainPoint, name: string): DeploymentState;
  /** Every deployment this build knows, for the child of `parent`. */
  statusFor(parent: ChainPoint): DeploymentStatus[];
  /**
   * The parameters the child of `parent` is held to: `params` with the change of every
   * ACTIVE deployment applied (minfee2 raises minFee). Only ever stricter than `params`.
   */
  paramsFor(parent: ChainPoint): Readonly<ChainParams>;
}

/** The ancestor of `point` at `height` (at most one window back in every use here). */
function ancestorAt(point: ChainPoint, height: number): ChainPoint {
  let current: ChainPoint | undefined = point;
  while (current && current.height > height) current = current.parent;
  if (!current || current.height !== height) throw new RangeError(`no ancestor at height ${height} below ${point.hash}`);
  return current;
}

/** Tracks the deployments of `params` over any chain of ChainPoints; validates them first. */
export function createDeploymentTracker(params: Readonly<ChainParams>): DeploymentTracker {
  const { deployments } = params;
  assertDeployments(deployments);
  /** Per deployment: last block of a window → the state of the window after it. */
  const caches = new Map(deployments.map((d) => [d.name, new Map<BlockHash, DeploymentState>()]));
  const minfee2 = deployments.find((d) => d.name === MINFEE2);
  const raised: Readonly<ChainParams> = Object.freeze({ ...params, minFee: Math.max(params.minFee, MINFEE2_MIN_FEE) });

  /** The state of the window that starts right after `boundary`, the last block of a window. */
  function stateAfter(boundary: ChainPoint, d: Readonly<Deployment>): DeploymentState {
    const cache = caches.get(d.name)!;
    const pending: { point: ChainPoint; count: number }[] = [];
    let state: DeploymentState = 'DEFINED'; // window 0, the one genesis opens, is always DEFINED
    // Walk back a window at a time to a known state (or genesis), counting each window's signals on the way.
    for (let point: ChainPoint | undefined = boundary; point; ) {
      const cached = cache.get(point.hash);
      if (cached) {
        state = cached;
        break;
      }
      let count = 0;
      let current: ChainPoint | undefined = point;
      for (let i = 0; i < d.window && current; i++, current = current.parent) if (signalsBit(current.header.version, d.bit)) count++;
      pending.push({ point, count });
      point = current;
    }
    for (let i = pending.length - 1; i >= 0; i--) {
      const { point, count } = pending[i]!;
      state = nextDeploymentState(state, d, count, point.height + 1);
      cache.set(point.hash, state);
    }
    return state;
  }

  function stateOf(parent: ChainPoint, d: Readonly<Deployment>): DeploymentState {
    const windowStart = Math.floor((parent.height + 1) / d.window) * d.window;
    return windowStart === 0 ? 'DEFINED' : stateAfter(ancestorAt(parent, windowStart - 1), d);
  }

  function statusFor(parent: ChainPoint): DeploymentStatus[] {
    return deployments.map((d) => {
      const height = parent.height + 1;
      const elapsed = height % d.window;
      let count = 0;
      let current: ChainPoint | undefined = parent;
      for (let i = 0; i < elapsed && current; i++, current = current.parent) if (signalsBit(current.header.version, d.bit)) count++;
      const { name, bit, startHeight, timeoutHeight, window, threshold } = d;
      const possible = count + (window - elapsed) >= threshold;
      return { name, bit, state: stateOf(parent, d), startHeight, timeoutHeight, window, threshold, elapsed, count, share: elapsed === 0 ? 0 : count / elapsed, possible };
    });
  }

  return {
    deployments,
    stateFor(parent, name) {
      const deployment = deployments.find((d) => d.name === name);
      if (!deployment) throw new InvalidArgumentError(`no deployment named ${name} in this build`);
      return stateOf(parent, deployment);
    },
    statusFor,
    paramsFor: (parent) => (minfee2 && stateOf(parent, minfee2) === 'ACTIVE' ? raised : params),
  };
}
