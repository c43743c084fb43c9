/**
 * The writer that src/storage/level-crash.test.ts kills with SIGKILL: a real
 * ledger over the LevelDB store, mining and committing real blocks (signed
 * payments, proof-of-work on the test network's easy target) as fast as it
 * can, continuing from whatever tip the directory holds.
 *
 *   node --import tsx test/helpers/level-crash-child.ts <dir> <network> <maxHeight>
 *
 * Prints one line per event on stdout, written synchronously so a line is
 * out before the next step starts:
 *   `start <height>`  the ledger loaded the stored tip at <height>;
 *   `begin <height>`  a commit up to <height> is ready for the store;
 *   `<height>`        the block at <height> is committed.
 * After each `begin` it waits for a `go` line on stdin before handing the
 * commit to the store, so the test knows when the commit starts and can aim
 * a kill into it. Stops at <maxHeight>, or when its stdin closes (the test
 * runner went away), so it never outlives the test.
 */
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createLedger } from '../../src/core/ledger/ledger.ts';
import { mineHeader } from '../../src/core/ledger/testing.ts';
import type { ChainStore } from '../../src/core/ledger/types.ts';
import { signTx, type Tx } from '../../src/core/tx.ts';
import type { Logger, Signer } from '../../src/core/types.ts';
import { openLevelLedgerStore } from '../../src/storage/level-ledger-store.ts';
import { nodeVerifier, testSigner } from './test-keys.ts';

const [dirArg, networkArg, maxHeightArg] = process.argv.slice(2);
if (!dirArg || !networkArg || !maxHeightArg) throw new Error('usage: level-crash-child.ts <dir> <network> <maxHeight>');
const [dir, network, maxHeight] = [dirArg, networkArg, Number(maxHeightArg)];

const say = (line: string): void => void writeSync(1, `${line}\n`);
const quiet: Logger = { info: () => undefined, warn: (message) => process.stderr.write(`${message}\n`) };

const commands = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
/** Waits for the test's `go`; exits when stdin closes. */
async function go(): Promise<void> {
  const command = await commands.next();
  if (command.done) process.exit(0);
  if (command.value !== 'go') throw new Error(`expected go on stdin, got ${JSON.stringify(command.value)}`);
}

const store = await openLevelLedgerStore(dir, { network, log: quiet });
/** The store, announcing each commit and starting it on the test's word: the test can then kill while it is written. */
const announcing: ChainStore = {
  ...store,
  async commitConnect(commit) {
    say(`begin ${commit.tip.height}`);
    await go();
    return store.commitConnect(commit);
  },
  async commitConnects(commits) {
    say(`begin ${commits[commits.length - 1]!.tip.height}`);
    await go();
    return store.commitConnects(commits);
  },
};
// Block times step 1 s past the tip and the clock stands at the newest one,
// so a restarted writer never sees its own blocks as from the future.
let nowMs = 0;
const ledger = await createLedger({ store: announcing, verifier: nodeVerifier, clock: { nowMs: () => nowMs }, log: quiet }, { network });
if (ledger.rebuilt) say(`rebuilt ${ledger.rebuildReason ?? ''}`);
say(`start ${ledger.tip().height}`);

const [alice, bob, carol] = await Promise.all([testSigner(1), testSigner(2), testSigner(3)]);

/** A payment from `from` if it can afford one, at its next nonce. */
async function payment(from: Signer, to: string, amount: number): Promise<Tx[]> {
  const account = ledger.account(from.peerId);
  if (account.balance < amount + 1) return [];
  return [await signTx(network, { from: from.peerId, to, amount, fee: 1, nonce: account.nonce }, from)];
}

while (ledger.tip().height < maxHeight) {
  nowMs = ledger.tip().timeMs + 1000;
  // Alice mines and pays bob, who pays carol: every block changes three accounts.
  const txs = [...(await payment(alice, bob.peerId, 7)), ...(await payment(bob, carol.peerId, 3))];
  const header = mineHeader(ledger.buildHeaderTemplate(alice.peerId, txs, nowMs));
  const result = await ledger.acceptBlock({ header, txs });
  if (!result.ok || result.value.status !== 'connected') throw new Error(`block refused: ${JSON.stringify(result)}`);
  say(String(header.height));
}
store.close();
await store.whenClosed();
process.exit(0);
