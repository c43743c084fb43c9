/**
 * Chains of signed transfers for the sync benches (bench/sync-node.ts and the
 * full node's figures, bench/figures/full-node-*.ts), built straight into a
 * node's ledger: no mempool, no gossip. Blocks are mined with mineHeader
 * (TEST params: about 16 hashes a block) and submitted as the node's own, so
 * the ledger checks and persists every one of them as it would a peer's.
 *
 * Signing uses node:crypto's Ed25519 (OpenSSL), not @noble/ed25519: ≈ 19,000
 * signatures a second on one core here against ≈ 1,800 (measured), which is
 * what makes a 50,000-transaction chain take seconds rather than a minute.
 * Ed25519 signatures are deterministic (RFC 8032), so both give the same
 * bytes for the same seed and message.
 */
import { createPrivateKey, createPublicKey, sign as ed25519Sign, type KeyObject } from 'node:crypto';
import { mintIdentityStampNative } from '../../fullnode/key-file-stamp.ts';
import { toHex } from '../../src/core/bytes.ts';
import { createFullNode, type FullNode } from '../../src/core/full-node.ts';
import { TEST_PARAMS } from '../../src/core/ledger/params.ts';
import { mineHeader } from '../../src/core/ledger/testing.ts';
import { signTx, txId, type Tx } from '../../src/core/tx.ts';
import type { Clock, Logger, PeerId, Signer, TxId, Verifier } from '../../src/core/types.ts';
import { createEd25519Verifier } from '../../src/crypto/ed25519.ts';
import { openLevelLedgerStore } from '../../src/storage/level-ledger-store.ts';
import { BenchError } from './bench-error.ts';

/** One day after the TEST genesis (params.ts GENESIS_TIME_MS), as core/ledger/testing.ts's fakeClock starts. */
export const BUILD_START_MS = 1_735_689_600_000 + 86_400_000;
/** The DER header of a PKCS #8 Ed25519 private key; the 32-byte seed follows it (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A Signer whose key is derived from `seed` (32 bytes of it), signing with
 * node:crypto, and stamped for `stampBits` (default the test networks' 8:
 * benches run on test networks, and main's 20 bits would cost ~1.3 s a key).
 */
export function benchSigner(seed: number, stampBits: number = TEST_PARAMS.identityStampBits): Signer {
  const key: KeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.alloc(32, seed)]), format: 'der', type: 'pkcs8' });
  // The SPKI encoding ends with the raw 32-byte public key.
  const publicKey = new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32));
  const identityStamp = mintIdentityStampNative(publicKey, stampBits);
  return { peerId: toHex(publicKey), publicKey, identityStamp, sign: async (message) => new Uint8Array(ed25519Sign(null, message, key)) };
}

/** A clock for building: block times start at BUILD_START_MS and step one second a block. */
export interface BuildClock extends Clock {
  /** Moves one block interval on and returns the new time. */
  step(): number;
}

export function createBuildClock(startMs = BUILD_START_MS): BuildClock {
  let now = startMs;
  return { nowMs: () => now, step: () => (now += 1_000) };
}

/** `count` transfers of 1 unit (fee 1) from `signer` to `to`, nonces from `firstNonce`, signed. */
export async function signTransfers(network: string, signer: Signer, to: PeerId, count: number, firstNonce = 0): Promise<Tx[]> {
  const txs: Tx[] = [];
  for (let i = 0; i < count; i++) txs.push(await signTx(network, { from: signer.peerId, to, amount: 1, fee: 1, nonce: firstNonce + i }, signer));
  return txs;
}

/** Mines `txs` on `full`'s tip with the block reward paid to `minerId`, at the clock's next step; throws when the ledger refuses it. */
export async function mineOn(full: FullNode, minerId: PeerId, txs: readonly Tx[], clock: BuildClock): Promise<void> {
  const header = mineHeader(full.ledger.buildHeaderTemplate(minerId, txs, clock.step()));
  const result = await full.node.submitLocalBlock({ header, txs: [...txs] });
  if (!result.ok) throw new BenchError(`the chain builder's block was refused: ${result.reason} ${result.detail}`);
}

export interface TransferChainPlan {
  network: string;
  /** Mines the first block (its coins) and signs every transfer. */
  signer: Signer;
  recipient: PeerId;
  blocks: number;
  txsPerBlock: number;
}

export interface BuiltChain {
  /** The tip's height: the funding block plus `blocks`. */
  height: number;
  txIds: TxId[];
  ms: number;
}

/** Mines the signer's coins, then `blocks` blocks of `txsPerBlock` transfers each, on `full`. */
export async function buildTransferChain(full: FullNode, clock: BuildClock, plan: TransferChainPlan): Promise<BuiltChain> {
  const started = performance.now();
  await mineOn(full, plan.signer.peerId, [], clock);
  const txIds: TxId[] = [];
  for (let b = 0; b < plan.blocks; b++) {
    const txs = await signTransfers(plan.network, plan.signer, plan.recipient, plan.txsPerBlock, b * plan.txsPerBlock);
    await mineOn(full, plan.signer.peerId, txs, clock);
    for (const tx of txs) txIds.push(txId(tx));
  }
  return { height: full.ledger.tip().height, txIds, ms: performance.now() - started };
}

/**
 * Says every signature is valid, unchecked: for the bench's own peers and
 * reference passes, never for a node whose verification is being measured.
 */
export const trustingVerifier: Verifier = { verify: async (items) => items.map(() => true) };

/**
 * The in-thread WebCrypto verifier (a batch is verified concurrently: Node
 * runs WebCrypto jobs on libuv's thread pool). Builds verify here rather than
 * in worker threads: what a build costs is not a figure.
 */
export async function createInlineVerifier(): Promise<Verifier> {
  const backend = await createEd25519Verifier();
  return { verify: (items) => Promise.all(items.map((item) => backend.verify(item))) };
}

export interface LevelChainInit {
  network: string;
  /** The account whose history the store keeps: the node that will open it (its identity), so the store is the one it would have written. */
  owner: PeerId;
  log: Logger;
}

/**
 * Opens (creating) the LevelDB ledger in `dir`, runs `build` on a core node
 * over it, and closes it: a data directory a full node can then start on.
 */
export async function buildLevelChain<T>(dir: string, init: LevelChainInit, build: (full: FullNode, clock: BuildClock) => Promise<T>): Promise<T> {
  const clock = createBuildClock();
  const store = await openLevelLedgerStore(dir, { network: init.network, owner: init.owner, clock, log: init.log });
  try {
    const full = await createFullNode({ verifier: await createInlineVerifier(), clock, log: init.log, store }, { network: init.network, peerId: init.owner });
    const result = await build(full, clock);
    full.node.close();
    return result;
  } finally {
    store.close();
    await store.whenClosed();
  }
}
