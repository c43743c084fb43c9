/**
 * Shared setup for the ledger's own tests (not used by production code):
 * a ledger over a MemoryChainStore with a fake clock and the Node verifier,
 * and helpers that mine on the tip or on any indexed block.
 */
import { nodeVerifier, testSigner } from './test-keys.ts';
import { signTx, type Tx } from '../../src/core/tx.ts';
import type { PeerId, Signer } from '../../src/core/types.ts';
import { blockHash } from '../../src/core/ledger/block.ts';
import { createLedger, type Ledger } from '../../src/core/ledger/ledger.ts';
import { MemoryChainStore } from '../../src/core/ledger/memory-chain-store.ts';
import type { ChainParams } from '../../src/core/ledger/params.ts';
import { fakeClock, mineChild, mineHeader, recordingLogger, type FakeClock, type RecordingLogger } from '../../src/core/ledger/testing.ts';
import type { Block } from '../../src/core/ledger/types.ts';

export const NETWORK = 'test-ledger';

export interface Fixture {
  ledger: Ledger;
  store: MemoryChainStore;
  clock: FakeClock;
  log: RecordingLogger;
}

export async function setup(options: { store?: MemoryChainStore; clock?: FakeClock; params?: Partial<ChainParams> } = {}): Promise<Fixture> {
  const store = options.store ?? new MemoryChainStore();
  const clock = options.clock ?? fakeClock();
  const log = recordingLogger();
  const ledger = await createLedger({ store, verifier: nodeVerifier, clock, log }, { network: NETWORK, params: options.params });
  return { ledger, store, clock, log };
}

/** A mined block on the ledger's tip, 10 s after the previous one by the fake clock. */
export function nextBlock(fixture: Fixture, miner: PeerId, txs: Tx[] = []): Block {
  fixture.clock.advance(10_000);
  return { header: mineHeader(fixture.ledger.buildHeaderTemplate(miner, txs, fixture.clock.nowMs())), txs };
}

/** Mines and accepts `count` blocks on the tip; throws if any is refused. */
export async function mineBlocks(fixture: Fixture, miner: PeerId, count: number, txs: Tx[] = []): Promise<Block[]> {
  const blocks: Block[] = [];
  for (let i = 0; i < count; i++) {
    const block = nextBlock(fixture, miner, i === 0 ? txs : []);
    const result = await fixture.ledger.acceptBlock(block);
    if (!result.ok) throw new Error(`mined block refused: ${result.reason}: ${result.detail}`);
    blocks.push(block);
  }
  return blocks;
}

/** A mined child of any block (TEST params: the target never changes), `offsetMs` after it. */
export function childOf(parent: Block, miner: PeerId, txs: Tx[] = [], offsetMs = 1_000): Block {
  return mineChild({ hash: blockHash(parent.header), header: parent.header }, miner, txs, parent.header.timeMs + offsetMs);
}

/** A branch of `count` blocks on `parent`; the first carries `txs`. */
export function branch(parent: Block, miner: PeerId, count: number, txs: Tx[] = [], offsetMs = 1_000): Block[] {
  const blocks: Block[] = [];
  let tip = parent;
  for (let i = 0; i < count; i++) {
    tip = childOf(tip, miner, i === 0 ? txs : [], offsetMs);
    blocks.push(tip);
  }
  return blocks;
}

export async function signers(...seeds: number[]): Promise<Signer[]> {
  return Promise.all(seeds.map((seed) => testSigner(seed)));
}

export function send(from: Signer, to: PeerId, amount: number, nonce: number, fee = 1): Promise<Tx> {
  return signTx(NETWORK, { from: from.peerId, to, amount, fee, nonce }, from);
}

export function balances(ledger: Ledger): Map<PeerId, number> {
  return new Map([...ledger.accounts()].map(([id, account]) => [id, account.balance]));
}

export function sumOfBalances(ledger: Ledger): number {
  let total = 0;
  for (const [, account] of ledger.accounts()) total += account.balance;
  return total;
}
