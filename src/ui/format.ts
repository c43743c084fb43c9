/** Display helpers shared by the panels. Pure, so they are easy to test. */

/** First 8 hex characters and an ellipsis: 32 bits tell a tab's peers apart at a glance. */
export function shortId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 8)}…` : id;
}

/** A party to a transfer as the user reads it: "you" for this tab's own id. */
export function partyLabel(id: string, selfId: string | undefined): string {
  return id === selfId ? 'you' : shortId(id);
}

/** Local wall-clock time with seconds, e.g. "14:03:27". */
export function formatTime(atMs: number): string {
  return new Date(atMs).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Round-trip time in whole milliseconds, or an em dash while unknown. */
export function formatRtt(rttMs: number | undefined): string {
  return rttMs === undefined || !Number.isFinite(rttMs) ? '—' : String(Math.round(rttMs));
}

/** The message of anything thrown or rejected, so no error stays only in the console. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' ? error : String(error);
}
