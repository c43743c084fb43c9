/**
 * An index in [0, length) from an injected random in [0, 1). Clamped, so a
 * source that returns 1 (a test stub, a float rounding up) cannot index past the end.
 */
export function randomIndex(random: () => number, length: number): number {
  return Math.min(length - 1, Math.max(0, Math.floor(random() * length)));
}
