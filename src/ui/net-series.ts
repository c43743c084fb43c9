/**
 * Pure helpers for the network statistics charts: turning two readings of the
 * node's counters into a sample, and samples into the columns a chart draws.
 */
import type { NetSample } from './view-models.ts';

/**
 * A sample from two readings of `stats()` taken `elapsedMs` apart: the
 * growth of `txAccepted`, `bytesIn` and `bytesOut` per second, plus the
 * latest trace's propagation spread and median when one is recent. A counter that
 * went backwards (a restart) counts as zero growth, not a negative rate.
 * App code may call this once a second and pass the result to pushSample.
 */
export function sampleFromStats(
  previous: Readonly<Record<string, number>> | undefined,
  current: Readonly<Record<string, number>>,
  elapsedMs: number,
  atMs: number,
  peers: number,
  latencyMs?: number,
  latencyP50Ms?: number,
): NetSample {
  const seconds = elapsedMs > 0 ? elapsedMs / 1000 : 0;
  const rate = (name: string): number => {
    if (!previous || seconds === 0) return 0;
    const delta = (current[name] ?? 0) - (previous[name] ?? 0);
    return delta > 0 ? delta / seconds : 0;
  };
  const sample: NetSample = { atMs, txPerSec: rate('txAccepted'), bytesInPerSec: rate('bytesIn'), bytesOutPerSec: rate('bytesOut'), peers };
  if (latencyMs !== undefined && Number.isFinite(latencyMs)) sample.latencyMs = latencyMs;
  if (latencyP50Ms !== undefined && Number.isFinite(latencyP50Ms)) sample.latencyP50Ms = latencyP50Ms;
  return sample;
}

/** What one chart draws: the time axis (seconds, as uPlot wants) and one column per line. */
export type ChartColumns = [number[], ...(number | null)[][]];

/** The columns for `fields` of `series`; a missing value (no latency measured) is a gap, not a zero. */
export function chartColumns(series: readonly NetSample[], fields: readonly (keyof Omit<NetSample, 'atMs'>)[]): ChartColumns {
  const times = series.map((sample) => sample.atMs / 1000);
  const lines = fields.map((field) => series.map((sample) => sample[field] ?? null));
  return [times, ...lines];
}

/** Latest and peak of one field over the series, for a chart's text alternative; undefined with no data. */
export function seriesSummary(series: readonly NetSample[], field: keyof Omit<NetSample, 'atMs'>): { latest: number; peak: number } | undefined {
  let latest: number | undefined;
  let peak = -Infinity;
  for (const sample of series) {
    const value = sample[field];
    if (value === undefined) continue;
    latest = value;
    if (value > peak) peak = value;
  }
  return latest === undefined ? undefined : { latest, peak };
}
