/**
 * CPU time the browser actually used, from /proc (Linux): every Chromium
 * process descended from this Node process, grouped by its --type (renderer,
 * gpu-process, utility services, the browser process), and the whole
 * machine's busy time from /proc/stat. Task durations in traces stretch when
 * two cores are shared by a dozen processes; CPU time does not, so this says
 * whether a run was CPU-bound and who spent the CPU.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Linux reports process times in clock ticks; USER_HZ is 100 on every mainstream kernel. */
const TICKS_PER_SECOND = 100;

interface ProcSample {
  kind: string;
  ticks: number;
  /** Per thread (tid → its name, with trailing digits folded, and ticks), so a run can say which threads spent the CPU. */
  threads: Map<number, { name: string; ticks: number }>;
}

export interface CpuSnapshot {
  atMs: number;
  procs: Map<number, ProcSample>;
  machineBusyTicks: number;
  machineTotalTicks: number;
}

export interface CpuUsage {
  windowMs: number;
  /** Cores' worth of CPU used by the browser's processes, by process kind. */
  browserCores: Record<string, number>;
  browserCoresTotal: number;
  /**
   * Cores' worth by process kind and thread name (`renderer CrRendererMain`, `renderer DedicatedWorker thread`,
   * `renderer WebRTC_Worker`, `browser ThreadPoolForegr#`…), the 16 largest: where a tab's CPU goes, without a trace.
   */
  browserThreads: Record<string, number>;
  /** Cores' worth used by everything on the machine (this bench, other work). */
  machineCores: number;
  cores: number;
}

function kindOf(cmdline: string): string {
  const type = /--type=([\w-]+)/.exec(cmdline)?.[1];
  if (!type) return 'browser';
  if (type !== 'utility') return type;
  const sub = /--utility-sub-type=([\w.]+)/.exec(cmdline)?.[1] ?? 'utility';
  return sub.replace(/\.mojom\./, '.').replace(/^(\w+)\.\w+$/, '$1-service');
}

/** Each thread's name and user + system ticks (/proc/PID/task/TID/stat); a thread that exits meanwhile is left out. */
function readThreads(pid: number): Map<number, { name: string; ticks: number }> {
  const out = new Map<number, { name: string; ticks: number }>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Worker pools number their threads (ThreadPoolForegr3): fold the digits so that a pool is one row.
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '#');
      out.set(Number(tid), { name, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
  return out;
}

function readProcs(): Map<number, { ppid: number; ticks: number; cmdline: string }> {
  const out = new Map<number, { ppid: number; ticks: number; cmdline: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may contain spaces) start at the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const ticks = Number(fields[11]) + Number(fields[12]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.set(Number(entry), { ppid, ticks, cmdline });
    } catch (error) {
      // A process that exited between readdir and read is simply gone.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
  return out;
}

export const cpuAccountingAvailable = (): boolean => existsSync('/proc/stat') && existsSync(`/proc/${process.pid}/stat`);

export function cpuSnapshot(): CpuSnapshot {
  const all = readProcs();
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of all) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const procs = new Map<number, ProcSample>();
  const queue = [...(children.get(process.pid) ?? [])];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    queue.push(...(children.get(pid) ?? []));
    const proc = all.get(pid)!;
    if (!/chrom/i.test(proc.cmdline)) continue;
    procs.set(pid, { kind: kindOf(proc.cmdline), ticks: proc.ticks, threads: readThreads(pid) });
  }
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { atMs: Date.now(), procs, machineBusyTicks: total - idle, machineTotalTicks: total };
}

export function cpuUsage(before: CpuSnapshot, after: CpuSnapshot, cores: number): CpuUsage {
  const windowMs = Math.max(1, after.atMs - before.atMs);
  const seconds = windowMs / 1000;
  const byKind: Record<string, number> = {};
  const byThread: Record<string, number> = {};
  for (const [pid, sample] of after.procs) {
    const earlier = before.procs.get(pid);
    const ticks = sample.ticks - (earlier?.ticks ?? 0);
    byKind[sample.kind] = (byKind[sample.kind] ?? 0) + ticks;
    for (const [tid, thread] of sample.threads) {
      const key = `${sample.kind} ${thread.name}`;
      byThread[key] = (byThread[key] ?? 0) + thread.ticks - (earlier?.threads.get(tid)?.ticks ?? 0);
    }
  }
  const coresOf = (ticks: number) => Math.round((100 * ticks) / TICKS_PER_SECOND / seconds) / 100;
  const browserCores = Object.fromEntries(Object.entries(byKind).sort((a, b) => b[1] - a[1]).map(([kind, ticks]) => [kind, coresOf(ticks)]));
  const browserThreads = Object.fromEntries(Object.entries(byThread).filter(([, ticks]) => ticks > 0).sort((a, b) => b[1] - a[1]).slice(0, 16).map(([name, ticks]) => [name, coresOf(ticks)]));
  const totalTicks = Object.values(byKind).reduce((a, b) => a + b, 0);
  const machineShare = (after.machineBusyTicks - before.machineBusyTicks) / Math.max(1, after.machineTotalTicks - before.machineTotalTicks);
  return {
    windowMs,
    browserCores,
    browserCoresTotal: coresOf(totalTicks),
    browserThreads,
    machineCores: Math.round(100 * machineShare * cores) / 100,
    cores,
  };
}
