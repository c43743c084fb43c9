/**
 * Where a tab's main thread spends its time: a sampling CPU profile over CDP
 * (Profiler domain), folded into self time per function and per source file.
 * Used by `bench/run.ts --profile`, which serves an unminified build so the
 * names are the source's own.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Share of the profile the thread was idle (the `(idle)` node). */
  idlePercent: number;
  topFunctions: { name: string; selfMs: number; percent: number }[];
  topFiles: { file: string; selfMs: number; percent: number }[];
  /**
   * The callers of the largest native functions (`postMessage`, a data channel's `send`, IndexedDB's
   * `transaction`…), by the self time spent under each: which of the app's functions the native time is for.
   */
  nativeCallers: { name: string; callers: { name: string; selfMs: number }[] }[];
}

export interface RunningProfile {
  stop(): Promise<ProfileSummary>;
}

/**
 * Maps a bundle line back to its source module. An unminified Vite 8
 * (rolldown) bundle starts every module with a `// src/…` or
 * `// node_modules/…` comment line; `distDir` is the build to read them from.
 */
function createModuleResolver(distDir: string | undefined): (url: string, line: number) => string {
  const markers = new Map<string, { line: number; module: string }[]>();
  const markersOf = (url: string) => {
    let list = markers.get(url);
    if (list) return list;
    list = [];
    const file = distDir && path.join(distDir, new URL(url).pathname);
    if (file && file.startsWith(distDir) && existsSync(file)) {
      readFileSync(file, 'utf8').split('\n').forEach((text, index) => {
        const match = /^\/\/ ((?:src|node_modules)\/\S+)$/.exec(text);
        if (match) list!.push({ line: index, module: match[1]! });
      });
    }
    markers.set(url, list);
    return list;
  };
  return (url, line) => {
    if (url === '') return '(native)';
    if (!/^https?:/.test(url)) return url;
    let found = new URL(url).pathname;
    for (const marker of markersOf(url)) {
      if (marker.line > line) break;
      found = marker.module;
    }
    return found;
  };
}

export async function startProfile(page: Page, distDir?: string, samplingIntervalUs = 500): Promise<RunningProfile> {
  const fileOf = createModuleResolver(distDir);
  const session = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  await session.send('Profiler.start');
  return {
    async stop() {
      const { profile } = (await session.send('Profiler.stop')) as unknown as { profile: CpuProfile };
      await session.detach();
      const byId = new Map(profile.nodes.map((node) => [node.id, node]));
      const parentOf = new Map<number, number>();
      for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
      const selfUs = new Map<number, number>();
      profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
      const totalUs = profile.endTime - profile.startTime;
      const byName = new Map<string, number>();
      const byFile = new Map<string, number>();
      let idleUs = 0;
      for (const [id, us] of selfUs) {
        const frame = byId.get(id)!.callFrame;
        if (frame.functionName === '(idle)') idleUs += us;
        const file = fileOf(frame.url, frame.lineNumber);
        const name = `${frame.functionName || '(anonymous)'} ${file}`;
        byName.set(name, (byName.get(name) ?? 0) + us);
        byFile.set(file, (byFile.get(file) ?? 0) + us);
      }
      const top = (map: Map<string, number>, count: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, count);
      const nameOf = (id: number | undefined) => {
        const frame = id === undefined ? undefined : byId.get(id)?.callFrame;
        return frame ? `${frame.functionName || '(anonymous)'} ${fileOf(frame.url, frame.lineNumber)}` : '(root)';
      };
      // Native functions called from script (not the profiler's own pseudo-nodes such as (idle) and (program)).
      const natives = top(byName, 40).filter(([name]) => name.endsWith(' (native)') && !name.startsWith('(')).slice(0, 6).map(([name]) => name);
      const nativeCallers = natives.map((native) => {
        const callers = new Map<string, number>();
        for (const [id, us] of selfUs) if (nameOf(id) === native) callers.set(nameOf(parentOf.get(id)), (callers.get(nameOf(parentOf.get(id))) ?? 0) + us);
        return { name: native, callers: top(callers, 5).map(([name, us]) => ({ name, selfMs: Math.round(us / 1000) })) };
      });
      const pct = (us: number) => Math.round((1000 * us) / totalUs) / 10;
      return {
        totalMs: Math.round(totalUs / 1000),
        idlePercent: pct(idleUs),
        topFunctions: top(byName, 25).map(([name, us]) => ({ name, selfMs: Math.round(us / 1000), percent: pct(us) })),
        topFiles: top(byFile, 25).map(([file, us]) => ({ file, selfMs: Math.round(us / 1000), percent: pct(us) })),
        nativeCallers,
      };
    },
  };
}
