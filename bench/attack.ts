/**
 * Measured attacks (issue 20 §4; docs/SECURITY.md, "Measured attacks"):
 * honest tabs built by the real assembly (src/sim/attack/attack-scenario.ts)
 * against Sybil identities with valid stamps on a few attacker hosts, which
 * flood records, take inbound slots, withhold, and announce without
 * delivering. Each Sybil count runs twice from the same seed: defences on,
 * and the ablation (no source buckets, no outbound-group preference, no
 * feelers, stamps at 0 bits). Prints each figure beside its goal, medians
 * over the seeds; writes bench/results/attack.json.
 *
 *   node --import tsx bench/attack.ts [honest=1000] [sybils=1000,10000] [seeds=1] [windowMs=30000] [hosts=4] [out] [relay=on|off] [defences=on,off] [hosts-serve=no|yes]
 *
 * relay=off runs with the relay down: links form only through the mesh, and a split heals only by feelers.
 * defences=on (or off) runs one arm only: two processes, one per arm, use both cores of a 2-core machine
 * for the 1,000-honest runs (each arm is single-threaded); the missing column prints "-".
 * hosts-serve=yes: the hosts answer headers requests and list their real links (sybil-host.ts, "serve"), which passes
 * the outbound proof and can make their ids confirmed neighbours.
 *
 * Virtual times are deterministic per seed; the wall time is the machine's,
 * so each size also prints its CPU time, and the run its peak RSS and the
 * load average (on a shared machine the wall time says more about the others).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAttackScenario, type AttackFigures } from '../src/sim/attack/attack-scenario.ts';
import { AttackArgsError, parseAttackArgs } from './lib/attack-args.ts';

/** Issue 20's goals. */
export const ATTACK_GOALS = { eclipsedShare: 0, delivery: 0.999, healMs: 30_000, disconnectMs: 1_000 } as const;

const parsed = (() => {
  try {
    return parseAttackArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof AttackArgsError)) throw error;
    console.error(`bench:attack: ${error.message}`);
    process.exit(2);
  }
})();
const { honest, sybilCounts, seeds, windowMs, hosts, relay, arms, serve } = parsed;
const out = parsed.out ?? join(dirname(fileURLToPath(import.meta.url)), 'results', 'attack.json');

const median = (values: (number | undefined)[]): number | undefined => {
  const known = values.filter((value): value is number => value !== undefined).sort((a, b) => a - b);
  // A run that never healed counts as worse than any that did.
  if (known.length * 2 <= values.length) return undefined;
  return known[Math.floor((values.length - 1) / 2)];
};
const pct = (value: number | undefined) => (value === undefined ? 'n/a' : `${(value * 100).toFixed(1)}%`);
const ms = (value: number | undefined) => (value === undefined ? 'never' : value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value} ms`);

const results: { sybils: number; on: AttackFigures[]; off: AttackFigures[]; wallMs: number; cpuMs: number }[] = [];
for (const sybils of sybilCounts) {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const on: AttackFigures[] = [];
  const off: AttackFigures[] = [];
  for (const seed of seeds) {
    for (const defences of arms) {
      const label = `${honest} vs ${sybils}, seed ${seed}, defences ${defences ? 'on' : 'off'}`;
      const onPhase = (phase: string, virtualMs: number) => process.stderr.write(
        `[attack ${label}] ${phase} at virtual ${(virtualMs / 1000).toFixed(0)} s, wall ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
      const figures = await runAttackScenario({ seed, honest, sybils, hosts, defences, windowMs, relay, onPhase, strategies: { serve } });
      (defences ? on : off).push(figures);
    }
  }
  const wallMs = Math.round(performance.now() - started);
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  results.push({ sybils, on, off, wallMs, cpuMs });
  const column = (runs: AttackFigures[], pick: (runs: AttackFigures[]) => string) => (runs.length === 0 ? '-' : pick(runs));
  const row = (name: string, goal: string, pick: (runs: AttackFigures[]) => string) => console.log(`  ${name.padEnd(42)} ${goal.padEnd(10)} ${column(on, pick).padEnd(12)} ${column(off, pick)}`);
  console.log(`\nattack: ${honest} honest vs ${sybils} Sybil ids on ${hosts} hosts, relay ${relay ? 'up' : 'down'}${serve ? ', hosts serving headers' : ''} (seeds ${seeds.join(',')}, window ${windowMs / 1000} s; wall ${(wallMs / 1000).toFixed(0)} s, CPU ${(cpuMs / 1000).toFixed(0)} s, load average ${loadavg()[0]!.toFixed(1)})`);
  console.log(`  ${'figure (median over seeds)'.padEnd(42)} ${'goal'.padEnd(10)} ${'defences on'.padEnd(12)} off`);
  row('honest nodes eclipsed', '0', (runs) => pct(median(runs.map((r) => r.eclipsedShare))));
  row('honest nodes with no honest link', '0', (runs) => pct(median(runs.map((r) => r.cutOff / r.honest))));
  row('honest outbound links to attackers', '-', (runs) => pct(median(runs.map((r) => r.outboundToAttackers))));
  row('of them, passed the outbound proof (links)', '-', (runs) => String(median(runs.map((r) => r.attackerLinksAnswered))));
  row('Sybil records in honest books', '-', (runs) => pct(median(runs.map((r) => r.bookSybilShare))));
  row('honest transaction delivery', '≥ 99.9%', (runs) => pct(median(runs.map((r) => r.delivery))));
  row('transactions sent (refused by their sender)', '-', (runs) => `${median(runs.map((r) => r.txsSent))} (${median(runs.map((r) => r.txsRefused))})`);
  row('time to heal a 50/50 split', '≤ 30 s', (runs) => ms(median(runs.map((r) => r.healMs))));
  row('honest nodes on the best tip after 120 s', '100%', (runs) => pct(median(runs.map((r) => r.healedShare))));
  row('time to disconnect a forged record (median)', '≤ 1 s', (runs) => ms(median(runs.map((r) => r.disconnectMedianMs))));
  row('time to disconnect a forged record (worst)', '≤ 1 s', (runs) => ms(median(runs.map((r) => r.disconnectMaxMs))));
  // Each link is an RTCPeerConnection in a tab, and Chromium allows a page 500 over its lifetime.
  row('links the hosts opened, per honest node', '-', (runs) => String(Math.round(median(runs.map((r) => r.attacker.linksOpened / r.honest)) ?? 0)));
  // The gossip's cost: what every honest tab parses a second, and how often it re-signs (each re-sign crosses the network).
  row('peer records received per honest node per s', '-', (runs) => (median(runs.map((r) => r.recordsReceivedPerSec)) ?? 0).toFixed(1));
  row('own records signed per honest node per min', '-', (runs) => ((median(runs.map((r) => r.ownRecordsSignedPerSec)) ?? 0) * 60).toFixed(1));
  row('attacker stamp hashes (2^bits per id)', '-', (runs) => String(runs[0]!.stampHashes));
}
mkdirSync(dirname(out), { recursive: true });
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(`\npeak RSS ${peakRssMb} MB`);
writeFileSync(out, `${JSON.stringify({ honest, seeds, windowMs, hosts, relay, serve, goals: ATTACK_GOALS, peakRssMb, results }, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`);
console.log(`\nwrote ${out}`);
