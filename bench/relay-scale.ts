/**
 * Relay scale benchmark (issue 19, items 4 and 5): scripted members, raw
 * WebSocket clients that do the real challenge/sign join, against relays in
 * child processes. Prints, beside the goal, for 1,000 and 10,000 members on
 * one relay process:
 *   - joins/s over the whole run, and the relay's CPU per join for the first
 *     and the last 1,000 joins (the goal: flat per-join cost, so the last
 *     thousand joins of 10,000 cost what the first thousand did);
 *   - signals/s, every member sending 20 signals to members of its welcome sample;
 *   - relay RSS per member (RSS growth over the joins / members).
 * Then one process against two processes sharing rooms through a real
 * redis-server (started here on a loopback port): joins/s and signals/s.
 *
 *   npm run bench:relay -- [--members 1000,10000] [--redis-members 2000] [--runs 3] [--out bench/results/relay-scale.json]
 *
 * Everything runs on this machine: the clients share the CPU with the relays
 * (and Redis), so the figures are a floor for a relay with a machine of its own.
 * Medians of --runs runs are printed. Clients sign with node:crypto's Ed25519
 * (RFC 8032 signatures, as the tabs make) so that signing does not dominate
 * (bench/lib/relay-client.ts); each relay is bench/lib/relay-child.ts.
 */
import { randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { startRedisServer } from '../signaling/redis-test-server.ts';
import { joinRelay, makeRelayKeys, type RelayMember } from './lib/relay-client.ts';
import { startRelayProcess, type RelayProcess } from './lib/relay-process.ts';
import { median } from './lib/summary.ts';

const NETWORK = 'bench';
const SIGNALS_PER_MEMBER = 20;
/** A signal's data: about the size of a trickled ICE candidate in its signed envelope. */
const SIGNAL_DATA = 'c'.repeat(400);
/** Joins in flight at once: below the relay's maxPendingJoins (512). */
const JOIN_WINDOW = 256;
/** Share of members that go idle after joining, as well-linked tabs do. */
const IDLE_SHARE = 0.9;

/**
 * One script joins every member from one address, and minting 10,000 stamps is not what is measured: the
 * per-address limits are lifted and stamps asked for no work (each is still parsed and hashed once).
 */
const startRelay = (redisUrl?: string): Promise<RelayProcess> => startRelayProcess({
  relay: {
    redisUrl, maxConnections: 65_536, maxPendingJoins: 1024, maxPendingPerAddress: 1024, maxMembersPerAddress: 65_536,
    joinsPerAddress: { burst: 65_536, perMinute: 6_000_000 }, identityStampBits: 0,
  },
});

interface RunFigures {
  members: number;
  relays: number;
  joinsPerSec: number;
  firstThousandCpuUsPerJoin: number;
  lastThousandCpuUsPerJoin: number;
  signalsPerSec: number;
  signalsLost: number;
  rssKiBPerMember: number;
  meanWelcomeSample: number;
}

async function run(memberCount: number, relayCount: number, redisUrl?: string): Promise<RunFigures> {
  const relays = await Promise.all(Array.from({ length: relayCount }, () => startRelay(redisUrl)));
  const keys = makeRelayKeys(memberCount);
  const before = await Promise.all(relays.map((relay) => relay.stats()));
  const members: RelayMember[] = [];
  const cpuAt = new Map<number, number>();
  const totalCpu = async () => (await Promise.all(relays.map((relay) => relay.stats()))).reduce((sum, s) => sum + s.cpuMs, 0);
  cpuAt.set(0, before.reduce((sum, s) => sum + s.cpuMs, 0));
  const started = performance.now();
  let next = 0;
  const lastBlockStart = Math.max(0, memberCount - 1000);
  async function worker(): Promise<void> {
    while (next < memberCount) {
      const index = next++;
      if (index === 1000 && !cpuAt.has(1000)) cpuAt.set(1000, await totalCpu());
      if (index === lastBlockStart && lastBlockStart > 0 && !cpuAt.has(-1)) cpuAt.set(-1, await totalCpu());
      members.push(await joinRelay(relays[index % relayCount]!.url, keys[index]!, { network: NETWORK }));
    }
  }
  await Promise.all(Array.from({ length: JOIN_WINDOW }, worker));
  const joinSeconds = (performance.now() - started) / 1000;
  const endCpu = await totalCpu();
  const firstEnd = cpuAt.get(1000) ?? endCpu;
  const lastStart = cpuAt.get(-1) ?? cpuAt.get(0)!;

  for (const member of members) if (Math.random() < IDLE_SHARE) member.ws.send('{"type":"idle"}');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = await Promise.all(relays.map((relay) => relay.stats()));
  const rssGrowth = after.reduce((sum, s, i) => sum + s.rssBytes - before[i]!.rssBytes, 0);

  let sent = 0;
  const signalsStarted = performance.now();
  for (const member of members) {
    if (member.sample.length === 0) continue;
    for (let i = 0; i < SIGNALS_PER_MEMBER; i++) {
      member.ws.send(JSON.stringify({ type: 'signal', to: member.sample[randomInt(member.sample.length)], data: SIGNAL_DATA }));
      sent++;
    }
  }
  const received = () => members.reduce((sum, member) => sum + member.received, 0);
  const deadline = performance.now() + 120_000;
  while (received() < sent && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const signalSeconds = (performance.now() - signalsStarted) / 1000;
  const got = received();

  for (const member of members) member.ws.terminate();
  await Promise.all(relays.map((relay) => relay.close()));
  return {
    members: memberCount,
    relays: relayCount,
    joinsPerSec: memberCount / joinSeconds,
    firstThousandCpuUsPerJoin: ((firstEnd - cpuAt.get(0)!) * 1000) / Math.min(1000, memberCount),
    lastThousandCpuUsPerJoin: ((endCpu - lastStart) * 1000) / Math.min(1000, memberCount),
    signalsPerSec: got / signalSeconds,
    signalsLost: sent - got,
    rssKiBPerMember: rssGrowth / 1024 / memberCount,
    meanWelcomeSample: members.reduce((sum, member) => sum + member.sample.length, 0) / memberCount,
  };
}

function medianOf(runs: RunFigures[]): RunFigures {
  const keys = Object.keys(runs[0]!) as Array<keyof RunFigures>;
  return Object.fromEntries(keys.map((key) => [key, median(runs.map((figures) => figures[key]))])) as unknown as RunFigures;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    members: { type: 'string', default: '1000,10000' },
    'redis-members': { type: 'string', default: '2000' },
    runs: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench/results/relay-scale.json' },
  } });
  const runs = Number(values.runs);
  const fmt = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits });
  const results: Array<RunFigures & { mode: string }> = [];
  const measure = async (mode: string, members: number, relays: number, redisUrl?: string) => {
    const all: RunFigures[] = [];
    for (let i = 0; i < runs; i++) all.push(await run(members, relays, redisUrl));
    const m = medianOf(all);
    results.push({ mode, ...m });
    console.log(`${mode.padEnd(22)} ${fmt(members).padStart(6)} members: ${fmt(m.joinsPerSec).padStart(6)} joins/s, relay CPU/join ${fmt(m.firstThousandCpuUsPerJoin)} µs first 1k, ${fmt(m.lastThousandCpuUsPerJoin)} µs last 1k; `
      + `${fmt(m.signalsPerSec).padStart(7)} signals/s (${fmt(m.signalsLost)} lost); RSS ${fmt(m.rssKiBPerMember, 1)} KiB/member; welcome ${fmt(m.meanWelcomeSample, 1)} ids`);
  };
  console.log(`relay scale: medians of ${runs} runs. Goal: 10,000 members on one process with flat per-join cost (last-1k CPU/join ≈ first-1k).`);
  for (const members of values.members.split(',').map(Number)) await measure('one process', members, 1);
  const redisMembers = Number(values['redis-members']);
  if (redisMembers > 0) {
    const redis = await startRedisServer();
    try {
      await measure('one process (compare)', redisMembers, 1);
      await measure('two processes + Redis', redisMembers, 2, redis.url);
    } finally {
      await redis.stop();
    }
  }
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, `${JSON.stringify({ date: new Date().toISOString(), runs, results }, null, 2)}\n`);
  console.log(`wrote ${values.out}`);
}

await main();
