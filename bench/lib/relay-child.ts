/**
 * The relay for the relay benches, run as a child process (relay-process.ts
 * starts it) so that its RSS and CPU are its own: the same createHostServer
 * that `npm start` runs (the relay on /signal, GET /healthz), on 127.0.0.1,
 * with the relay options the parent passes in BENCH_RELAY_INIT (JSON).
 * With BENCH_RELAY_LOG=console it logs as `npm start` does, to stdout, where
 * the parent counts the bytes; otherwise it is silent.
 *
 *   parent → child  {type: 'stats'} | {type: 'loop'} | {type: 'gc'} | {type: 'close'}
 *   child → parent  {type: 'ready', port} | {type: 'stats', …RelayChildStats} | {type: 'loop', …LoopDelay} | {type: 'gc'}
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createConsoleLogger, silentLogger } from '../../signaling/logger.ts';
import { createHostServer, type RelayOptions } from '../../signaling/host-server.ts';
import type { RelayStats } from '../../signaling/relay-server.ts';

/** What one stats sample reports. */
export interface RelayChildStats {
  rssBytes: number;
  /** process.cpuUsage() user + system, ms since the child started. */
  cpuMs: number;
  peers: number;
  relay: RelayStats;
}

/** How late the relay's event loop ran its tasks since the last 'loop' request, ms: its own blocking, apart from the machine's. */
export interface LoopDelay {
  p99: number;
  max: number;
}

const relayInit = JSON.parse(process.env.BENCH_RELAY_INIT || '{}') as RelayOptions;
const host = createHostServer({
  port: 0,
  host: '127.0.0.1',
  exclusiveUpgrades: true,
  relay: relayInit,
  log: process.env.BENCH_RELAY_LOG === 'console' ? createConsoleLogger() : silentLogger,
  handle: (_req, res) => {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found\n');
  },
});
await host.ready;
while (relayInit.redisUrl !== undefined && host.relay.stats().redis?.state !== 'shared') await new Promise((resolve) => setTimeout(resolve, 50));

const stats = (): RelayChildStats => {
  const cpu = process.cpuUsage();
  const relay = host.relay.stats();
  return { rssBytes: process.memoryUsage.rss(), cpuMs: (cpu.user + cpu.system) / 1000, peers: relay.peers, relay };
};
const close = () => void host.close().then(() => process.exit(0), (error: unknown) => {
  console.error(`relay-child: close failed: ${String(error)}`);
  process.exit(1);
});
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') process.send!({ type: 'stats', ...stats() });
  if (message.type === 'loop') {
    const delay: LoopDelay = { p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) };
    loopDelay.reset();
    process.send!({ type: 'loop', ...delay });
  }
  if (message.type === 'gc') {
    global.gc?.();
    process.send!({ type: 'gc' });
  }
  if (message.type === 'close') close();
});
// The bench died or dropped us: do not linger holding a port.
process.on('disconnect', close);
global.gc?.();
process.send!({ type: 'ready', port: host.address().port });
