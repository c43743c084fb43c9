/**
 * Figure 8, scale: bench/sim-scale.ts (the deterministic simulator running
 * the real core over in-memory links) at the given node counts, run as its
 * own process after the browser has closed so it has the machine to itself.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BenchError } from '../lib/bench-error.ts';

export interface SimScaleResult {
  nodes: number;
  degree: number;
  links: number;
  deliveryPercent: number;
  exactlyOnce: boolean;
  hops: { p50: number; p99: number; max: number; mean: number; bound: number; withinBound: boolean };
  txBodiesPerNode: { min: number; mean: number; max: number; onWire: number };
  announcements: { invItemsPerNode: number; duplicateInvPerNode: { mean: number; p50: number; max: number; floor: number }; avoidedPerNode: number };
  txBytesPerNode: { tx: number; inv: number; getData: number };
  wall: { setupMs: number; gossipMs: number; gossipEventsPerSec: number; gossipEventsPerCpuSec: number; heapMiB: number };
}

export interface ScaleFigure {
  nodeCounts: number[];
  seed: number;
  wallMs: number;
  results: SimScaleResult[];
}

export async function measureScale(root: string, nodeCounts: number[], seed: number, log: (line: string) => void): Promise<ScaleFigure> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tabmesh-bench-sim-'));
  const out = path.join(dir, 'sim-scale.json');
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/sim-scale.ts'), nodeCounts.join(','), String(seed), out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (/^\d+ nodes|delivery|hops/.test(line.trim())) log(`  sim: ${line.trim()}`);
  });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new BenchError(`bench/sim-scale.ts exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const parsed = JSON.parse(readFileSync(out, 'utf8')) as { results: SimScaleResult[] };
  rmSync(dir, { recursive: true, force: true });
  return { nodeCounts, seed, wallMs: Date.now() - started, results: parsed.results };
}
