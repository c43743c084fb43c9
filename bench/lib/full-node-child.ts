/**
 * The full node for bench/figures/full-node-load.ts, run as a child process
 * (node-host.ts starts it): what fullnode/bin/tabmesh-node.ts runs, the same
 * flags parsed by parseNodeFlags into startFullNode with the same JSON
 * logger, plus an IPC channel that the bin has no need for. Through it the
 * bench reads the node's counters (`txAccepted`: the RPC's /status has no
 * counters) and `process.cpuUsage()`, which covers every thread of the
 * process, the verifier and miner threads included, and nothing of the load
 * generators in the parent.
 *
 *   parent → child  {type: 'sample'} | {type: 'close'}
 *   child → parent  {type: 'ready', id, rpcPort} | {type: 'sample', …NodeSample} | {type: 'error', message}
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startFullNode } from '../../fullnode/main.ts';
import { parseNodeFlags } from '../../fullnode/node-flags.ts';
import { createJsonLogger } from '../../signaling/logger.ts';

/** What one sample reports (node-host.ts reads it). */
export interface NodeSample {
  stats: Record<string, number>;
  /** process.cpuUsage(): user and system µs since the process started, all threads. */
  cpuUs: { user: number; system: number };
  tipHeight: number;
  mempool: number;
  /** The main thread's event-loop delay since the last sample (ms): how late its tasks ran. */
  loopDelayMs: { p99: number; max: number };
  /** The main thread's event-loop time since the process started (ms): busy, and idle waiting for events. */
  mainThreadMs: { active: number; idle: number };
}

const send = (message: object): void => void process.send?.(message);
const messageType = (message: unknown): unknown => (typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined);

const parsed = parseNodeFlags(process.argv.slice(2));
if (!parsed.ok || parsed.help || !process.send) {
  console.error(`full-node-child: ${!parsed.ok ? parsed.error : 'run me through node-host.ts, with an IPC channel and the node\'s flags'}`);
  process.exit(2);
}

try {
  const node = await startFullNode(parsed.options, createJsonLogger());
  const { ledger, mempool } = node.peer;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const stop = (code: number) => void node.close().then(() => process.exit(code), (error: unknown) => {
    console.error(`full-node-child: close failed: ${String(error)}`);
    process.exit(1);
  });
  process.on('message', (message: unknown) => {
    const type = messageType(message);
    if (type === 'sample') {
      const loopDelayMs = { p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) };
      loopDelay.reset();
      const { active, idle } = performance.eventLoopUtilization();
      const sample: NodeSample = { stats: node.stats(), cpuUs: process.cpuUsage(), tipHeight: ledger.tip().height, mempool: mempool.size, loopDelayMs, mainThreadMs: { active, idle } };
      send({ type: 'sample', ...sample });
    } else if (type === 'close') {
      stop(0);
    }
  });
  // The bench died or dropped us: do not linger holding the data directory's lock.
  process.on('disconnect', () => stop(0));
  send({ type: 'ready', id: node.id, rpcPort: node.rpcPort });
} catch (error) {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
