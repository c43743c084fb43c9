/**
 * Per-hour rates from a tab's samples: a least-squares slope (robust to one
 * noisy reading, unlike last − first) for levels such as heap and IndexedDB
 * size, and count / lifetime for counters such as RTCPeerConnections
 * created, which only ever grow.
 */

const HOUR_MS = 3_600_000;

/** Least-squares slope of `values` over `timesMs`, per hour; NaN with fewer than 3 finite points. */
export function slopePerHour(timesMs: number[], values: number[]): number {
  const points = timesMs.map((t, index) => [t, values[index]!] as const).filter(([, value]) => Number.isFinite(value));
  if (points.length < 3) return Number.NaN;
  const meanT = points.reduce((total, [t]) => total + t, 0) / points.length;
  const meanV = points.reduce((total, [, value]) => total + value, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const [t, value] of points) {
    covariance += (t - meanT) * (value - meanV);
    variance += (t - meanT) ** 2;
  }
  return variance === 0 ? Number.NaN : (covariance / variance) * HOUR_MS;
}

/** `count` over `lifetimeMs`, scaled to an hour. */
export const perHour = (count: number, lifetimeMs: number): number => (lifetimeMs > 0 ? (count * HOUR_MS) / lifetimeMs : Number.NaN);

