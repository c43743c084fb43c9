/**
 * A node fed a hostile peer's messages (core/node.ts with its session, rate
 * limit, inventory and relays): one linked peer says a valid HELLO, then
 * sends mutated frames and bundles. The decoders are fuzzed alone elsewhere;
 * here the question is what the node does with their results, over several
 * messages: no exception escapes its message handler or its deferred tasks,
 * a link it closes is closed with a reason, it holds at most the one
 * session, and a closed link leaves no session behind.
 */
import * as fc from 'fast-check';
import { toHex } from '../../core/bytes.ts';
import { encodeFrame } from '../../core/frames.ts';
import { createFullNode } from '../../core/full-node.ts';
import type { PeerLink } from '../../core/link.ts';
import { MemoryChainStore } from '../../core/ledger/memory-chain-store.ts';
import type { Scheduler } from '../../core/scheduler.ts';
import { nobleKeypair } from '../../crypto/ed25519.ts';
import { invariant, outcome, type FuzzTarget } from '../fuzz-target.ts';
import { mutatedBytes } from '../mutate.ts';
import { bundleBytes, frameArbitrary, frameBytes } from '../valid-core.ts';
import { TEST_STAMPS } from '../../../test/helpers/test-stamps.ts';

const NETWORK = 'test';
const NOW_MS = 1_800_000_000_000;
/** Two identities whose stamps are already minted (test/helpers/test-stamps.ts, at main's 20 bits, so good for 'test'). */
const stamped = (seed: number) => ({ peerId: toHex(nobleKeypair(new Uint8Array(32).fill(seed)).publicKey), identityStamp: TEST_STAMPS[seed]! });
const NODE = stamped(1);
const PEER = stamped(2);

/** The hostile peer's end, driven by hand: messages are delivered synchronously, so anything the node throws lands in check(). */
function createDirectLink(): { link: PeerLink; deliver(bytes: Uint8Array): void; closedWith: string[] } {
  const handlers: ((bytes: Uint8Array) => void)[] = [];
  const closeHandlers: ((reason: string) => void)[] = [];
  const closedWith: string[] = [];
  const link: PeerLink = {
    peerId: PEER.peerId,
    direction: 'in',
    send: () => closedWith.length === 0,
    bufferedAmount: () => 0,
    onMessage: (handler) => void handlers.push(handler),
    onClose: (handler) => void closeHandlers.push(handler),
    close(reason) {
      if (closedWith.length > 0) return;
      closedWith.push(reason);
      for (const handler of closeHandlers) handler(reason);
    },
  };
  return { link, closedWith, deliver: (bytes) => { if (closedWith.length === 0) for (const handler of handlers) handler(bytes); } };
}

/** Deferred tasks and timers run when check() says, on its stack, so their exceptions are caught too. */
function createManualScheduler(): Scheduler & { runAll(): void } {
  const queue: (() => void)[] = [];
  return {
    defer: (task) => void queue.push(task),
    after: (_delayMs, task) => void queue.push(task),
    busy: () => false,
    punctual: () => true,
    runAll() {
      // Bounded: a task that keeps re-queueing itself is a livelock, and a finding.
      for (let ran = 0; queue.length > 0; ran++) {
        invariant(ran < 10_000, 'the node queued more than 10,000 tasks for a handful of messages');
        queue.shift()!();
      }
    },
  };
}

/**
 * Frames an honest peer sends at any time (a random block, transaction or
 * unsolicited answer is misbehaviour, and the first one disconnects: Bitcoin
 * Core since PR #29575), so sessions live long enough for state to build up.
 */
const BENIGN: ReadonlySet<string> = new Set(['ping', 'pong', 'inv', 'getData', 'notFound', 'getHeaders']);
const benignFrameBytes = frameArbitrary.filter((frame) => BENIGN.has(frame.type)).map(encodeFrame);

/** Mostly benign frames, then any well-formed one, and mutated frames and bundles, which get the peer punished (as they should). */
const message = fc.oneof(
  { arbitrary: benignFrameBytes, weight: 8 },
  { arbitrary: frameBytes, weight: 2 },
  { arbitrary: bundleBytes, weight: 2 },
  { arbitrary: mutatedBytes(frameBytes), weight: 1 },
  { arbitrary: mutatedBytes(bundleBytes), weight: 1 },
);

export const nodeSessionTarget: FuzzTarget<Uint8Array[]> = {
  name: 'node-session',
  decoders: ['core/node.ts handleMessage (and peer-session.ts, inventory.ts, tx-relay.ts, block-relay.ts, chain-sync.ts behind it), fed parseFrame/splitBundle results'],
  arbitrary: fc.array(message, { minLength: 1, maxLength: 8 }),
  check: async (messages) => {
    const scheduler = createManualScheduler();
    const quiet = { info: () => undefined, warn: () => undefined };
    // Signatures are not what is fuzzed here, and verifying every mutated tx would be most of the time: all fail.
    const verifier = { verify: async (items: readonly unknown[]) => items.map(() => false) };
    const { node, ledger } = await createFullNode({ verifier, clock: { nowMs: () => NOW_MS }, log: quiet, store: new MemoryChainStore(), scheduler }, { network: NETWORK, ...NODE });
    const { link, deliver, closedWith } = createDirectLink();
    node.addLink(link);
    const tip = ledger.tip();
    deliver(encodeFrame({ type: 'hello', network: NETWORK, peerId: PEER.peerId, tipHeight: tip.height, tipHash: tip.hash, userAgent: 'fuzz', identityStamp: PEER.identityStamp }));
    scheduler.runAll();
    for (const bytes of messages) {
      deliver(bytes);
      scheduler.runAll();
      // Verification and storage are promises: let them settle, then run what they queued.
      await new Promise((resolve) => setImmediate(resolve));
      scheduler.runAll();
    }
    invariant(closedWith.every((reason) => reason.length > 0), 'the node closed the link without a reason');
    invariant(node.peers().length <= 1, `the node holds ${node.peers().length} sessions for one link`);
    if (closedWith.length > 0) invariant(node.peers().length === 0, 'a closed link left its session behind');
    return outcome(closedWith.length === 0);
  },
};
