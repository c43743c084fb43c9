// kill -9 at any moment leaves the LevelDB store whole: a child process
// (test/helpers/level-crash-child.ts) runs a real ledger over the store and
// commits blocks as fast as it can; the test kills it with SIGKILL at a random
// moment after a random number of commits, or aimed into a commit, then
// reopens the directory and checks that the stored tip is one the child
// reported (or the one it was writing), that the accounts are exactly the
// chain's state at that tip, that every block up to it is there and nothing
// past it, and that the store takes the next commit. Each round continues the
// same chain. Whether a kill lands between two writes of one commit is
// timing, so the last test pins the cause directly: each commit is one batch.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClassicLevel } from 'classic-level';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { nodeVerifier } from '../../test/helpers/test-keys.ts';
import { blockHash, genesisBlock } from '../core/ledger/block.ts';
import { createLedger } from '../core/ledger/ledger.ts';
import { chainParams } from '../core/ledger/params.ts';
import { StateDigest } from '../core/ledger/state-digest.ts';
import { applyBlock } from '../core/ledger/state.ts';
import { mineHeader } from '../core/ledger/testing.ts';
import type { Account, Block } from '../core/ledger/types.ts';
import { txId } from '../core/tx.ts';
import type { Logger, PeerId } from '../core/types.ts';
import { applyAccounts, connectCommit, disconnectCommit, makeBlock, parties, tipOf } from '../../test/helpers/chain-fixtures.ts';
import { openLevelLedgerStore, type LevelLedgerStore } from './level-ledger-store.ts';

const NETWORK = 'test-crash';
const CHILD = fileURLToPath(new URL('../../test/helpers/level-crash-child.ts', import.meta.url));
const ROUNDS = 10;
/** The child stops here if never killed; far beyond what the rounds reach. */
const MAX_HEIGHT = 100_000;
const quietLog: Logger = { info: () => undefined, warn: () => undefined };

/** mulberry32: a seeded PRNG, so a failing run can be replayed from the seed it prints. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Kill {
  /**
   * 'count': `delayMs` after the child reports its `commits`-th commit, wherever it then is;
   * 'commit': once it has made `commits` commits, inside the next one: `aim` × the round's
   * median time from `go` to a reported commit after telling it to start.
   */
  mode: 'count' | 'commit';
  commits: number;
  delayMs: number;
  aim: number;
}

const pauseCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocks this thread for about `us` microseconds. A timer cannot aim within
 * one commit (about 0.6 ms here), and a busy loop took one of this machine's
 * two cores from the child: its commits then took over 3 ms instead of 0.7
 * (measured), and every aimed kill came before the commit. Atomics.wait
 * sleeps instead.
 */
function pause(us: number): void {
  Atomics.wait(pauseCell, 0, 0, us / 1000);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Runs the child on `dir` until `kill` says, SIGKILLs it, and returns every line it wrote. */
async function runAndKill(dir: string, kill: Kill): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, NETWORK, String(MAX_HEIGHT)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const failures: unknown[] = [];
  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  /** Microseconds from each `go` to the commit's report, to aim the 'commit' kill. */
  const commitUs: number[] = [];
  let goAtUs = 0;
  let partial = '';
  let committed = 0;
  let killed = false;
  const killNow = () => {
    if (!killed) killed = child.kill('SIGKILL');
  };
  // Writing `go` to a child that was just killed fails with EPIPE; before the kill, nothing may fail.
  child.stdin.on('error', (error) => killed || failures.push(error));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      // Lines still in the pipe after the kill count too: they were written before it.
      lines.push(line);
      const isCommit = /^\d+$/.test(line);
      if (isCommit) committed++;
      if (killed) continue;
      if (isCommit) commitUs.push(nowUs() - goAtUs);
      if (line.startsWith('begin ')) {
        const aimed = kill.mode === 'commit' && committed >= kill.commits;
        // Timed from the write's callback: a pipe write is only handed to the OS on a later turn of the event loop.
        child.stdin.write('go\n', () => {
          goAtUs = nowUs();
          if (!aimed) return;
          pause(kill.aim * median(commitUs));
          killNow();
        });
      } else if (isCommit && kill.mode === 'count' && committed === kill.commits) {
        setTimeout(killNow, kill.delayMs);
      }
    }
  });
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  expect(failures).toEqual([]);
  expect(exit, `the child must die by SIGKILL, not exit on its own; it wrote ${lines.slice(-5).join(' | ')}`).toEqual({ code: null, signal: 'SIGKILL' });
  return lines;
}

/** The blocks from genesis to `tipHash`, read back from the store (every one must be there). */
async function chainTo(store: LevelLedgerStore, tipHash: string, height: number): Promise<Block[]> {
  const blocks: Block[] = [];
  let hash = tipHash;
  for (let h = height; h >= 0; h--) {
    const block = await store.getBlock(hash);
    expect(block, `block at height ${h} (${hash})`).toBeDefined();
    expect(block!.header.height).toBe(h);
    blocks.push(block!);
    hash = block!.header.prevHash;
  }
  return blocks.reverse();
}

/** The account state after `blocks`, replayed from an empty state by the ledger's own transition rule. */
function replay(blocks: readonly Block[]): [PeerId, Account][] {
  const params = chainParams(NETWORK);
  const accounts = new Map<PeerId, Account>();
  for (const block of blocks) {
    const applied = applyBlock(accounts, block, params);
    if (!applied.ok) throw new Error(`stored block ${block.header.height} does not apply: ${applied.reason}: ${applied.detail}`);
    for (const [id, account] of applied.value.changed) accounts.set(id, account);
  }
  return [...accounts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Checks the directory after a kill, given the last height the child reported
 * committed; commits one more block through a fresh ledger, and returns the new tip height.
 */
async function checkAfterKill(dir: string, lastReported: number, context: string): Promise<number> {
  const store = await openLevelLedgerStore(dir, { network: NETWORK, log: quietLog });
  try {
    const state = (await store.loadState())!;
    expect(state, context).toBeDefined();
    const { tip } = state;
    expect([lastReported, lastReported + 1], `${context}: stored tip ${tip.height}`).toContain(tip.height);

    const blocks = await chainTo(store, tip.hash, tip.height);
    expect(blockHash(blocks[0]!.header), context).toBe(blockHash(genesisBlock(NETWORK).header));
    // Nothing of a later commit landed: its block and header go in the same batch as its tip.
    expect((await store.listHeaders()).length, context).toBe(tip.height + 1);
    expect(state.accounts, context).toEqual(replay(blocks));
    expect(StateDigest.of(state.accounts).hex(), context).toBe(tip.stateHash);
    for (const block of blocks.slice(-20)) {
      const hash = blockHash(block.header);
      expect(await store.getUndo(hash), `${context}: undo of ${block.header.height}`).toMatchObject({ hash });
      for (const tx of block.txs) expect(await store.getTxLocation(txId(tx))).toEqual({ blockHash: hash, height: block.header.height });
    }

    // The store takes the next commit, through a ledger that adopts the stored state as it is.
    let nowMs = blocks[blocks.length - 1]!.header.timeMs + 1000;
    const ledger = await createLedger({ store, verifier: nodeVerifier, clock: { nowMs: () => nowMs }, log: quietLog }, { network: NETWORK });
    expect(ledger.rebuilt, `${context}: ${ledger.rebuildReason}`).toBe(false);
    expect(ledger.tip().hash).toBe(tip.hash);
    nowMs += 1000;
    const next = { header: mineHeader(ledger.buildHeaderTemplate('ee'.repeat(32), [], nowMs)), txs: [] };
    const accepted = await ledger.acceptBlock(next);
    expect(accepted.ok && accepted.value.status, context).toBe('connected');
    const after = (await store.loadState())!;
    expect(after.tip.hash).toBe(blockHash(next.header));
    expect(after.tip.height).toBe(tip.height + 1);
    return after.tip.height;
  } finally {
    store.close();
    await store.whenClosed();
  }
}

describe('LevelDB store under kill -9', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tabmesh-level-crash-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves the previous or the next state whole, every time, and takes the next commit', { timeout: 40_000 }, async () => {
    const seed = Number(process.env.LEVEL_CRASH_SEED ?? Date.now() % 2 ** 31);
    const random = prng(seed);
    let height = -1;
    /** For the kills aimed into a commit: whether that commit had landed. */
    const aimed = { landed: 0, lost: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      // Odd rounds kill inside a commit; the others at a random moment after a random number of commits.
      const kill: Kill = { mode: round % 2 === 1 ? 'commit' : 'count', commits: 1 + Math.floor(random() * 30), delayMs: Math.floor(random() * 5), aim: random() * 1.5 };
      const context = `seed ${seed} (LEVEL_CRASH_SEED=${seed} replays it), round ${round}, ${JSON.stringify(kill)}`;
      const lines = await runAndKill(dir, kill);
      expect(lines.filter((line) => line.startsWith('rebuilt')), context).toEqual([]);
      const start = lines.find((line) => line.startsWith('start '));
      expect(Number(start?.slice(6)), `${context}: the child continues from the tip left by the round before`).toBe(round === 0 ? 0 : height);
      const reported = lines.filter((line) => /^\d+$/.test(line)).map(Number);
      expect(reported.length, context).toBeGreaterThanOrEqual(kill.commits);
      const before = height;
      height = await checkAfterKill(dir, reported[reported.length - 1]!, context);
      expect(height, context).toBeGreaterThan(before);
      if (kill.mode === 'commit') aimed[height - 1 === Number(lines.findLast((line) => line.startsWith('begin '))!.slice(6)) ? 'landed' : 'lost']++;
    }
    // Which way an aimed kill falls is timing; shown so that a run whose kills all miss the commit stands out.
    console.info(`level crash test: seed ${seed}, ${ROUNDS} kills, final height ${height}; of the ${ROUNDS / 2} kills aimed into a commit, ${aimed.landed} came after it landed, ${aimed.lost} before`);
  });
});

describe('LevelDB chain commits', () => {
  it('write each commit as exactly one durable LevelDB batch, and nothing else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tabmesh-level-batch-'));
    const store = await openLevelLedgerStore(dir, { network: NETWORK, log: quietLog });
    try {
      const p = await parties();
      const pays = await p.payments(0, 3);
      const genesis = makeBlock(undefined, [], p.alice);
      const a1 = makeBlock(genesis, pays.slice(0, 2), p.alice);
      const a2 = makeBlock(a1, pays.slice(2), p.carol);
      const g: [PeerId, Account][] = [[p.alice, { balance: 100, nonce: 0 }]];
      const afterGenesis = applyAccounts(new Map(), g);
      const after1: [PeerId, Account][] = [[p.alice, { balance: 178, nonce: 2 }], [p.bob, { balance: 20, nonce: 0 }]];
      const afterA1 = applyAccounts(afterGenesis, after1);
      await store.putTx({ id: txId(pays[0]!), bytes: new Uint8Array(153), receivedAtMs: 1, status: 'pending', source: 'self' });
      // Every write of classic-level, from the root or a sublevel, ends in one of these on the root database.
      const root = ClassicLevel.prototype as unknown as Record<'_put' | '_del' | '_batch' | '_clear', (...args: unknown[]) => Promise<void>>;
      const spies = (['_put', '_del', '_batch', '_clear'] as const).map((name) => vi.spyOn(root, name));
      const writes = async (commit: () => Promise<void>): Promise<Record<string, number | boolean | undefined>> => {
        spies.forEach((spy) => spy.mockClear());
        await commit();
        const counts: Record<string, number> = Object.fromEntries(spies.map((spy, i) => [['_put', '_del', '_batch', '_clear'][i]!, spy.mock.calls.length]));
        // And durable: fsynced, so a power cut cannot leave half of it either.
        return { ...counts, sync: (spies[2]!.mock.calls[0]?.[1] as { sync?: boolean } | undefined)?.sync };
      };
      const once = { _put: 0, _del: 0, _batch: 1, _clear: 0, sync: true };
      expect(await writes(() => store.commitConnect(connectCommit(genesis, new Map(), g)))).toEqual(once);
      expect(await writes(() => store.commitConnects([connectCommit(a1, afterGenesis, after1), connectCommit(a2, afterA1, [[p.carol, { balance: 51, nonce: 0 }]])]))).toEqual(once);
      const undo = (await store.getUndo(blockHash(a2.header)))!;
      expect(await writes(() => store.commitDisconnect(disconnectCommit(undo, a1)))).toEqual(once);
      expect(await writes(() => store.resetState({ tip: tipOf(genesis), accounts: [] }))).toEqual(once);
      // The spies saw the real writes: the reset took the confirmed record back to pending.
      expect((await store.getTx(txId(pays[0]!)))!.status).toBe('pending');
      expect((await store.loadState())!.tip).toEqual(tipOf(genesis));
    } finally {
      vi.restoreAllMocks();
      store.close();
      await store.whenClosed();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
