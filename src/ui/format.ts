/** Display helpers shared by the panels. Pure, so they are easy to test. */
import { encodeAddress } from '../core/address.ts';

/** First 8 hex characters and an ellipsis: 32 bits tell a tab's peers apart at a glance. */
export function shortId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 8)}…` : id;
}

/** Addresses already encoded: the balances and history rows redraw several times a second. */
const addresses = new Map<string, string>();
/** Enough for every account the panels show (MAX_ACCOUNT_VIEWS and the history's parties); cleared, not evicted, past it. */
const MAX_CACHED_ADDRESSES = 1_000;

/**
 * The `tm1…` address of an account id (core/address.ts): the form shown
 * wherever a person reads an account whole or copies it. Short ids in
 * tables and graphs stay hex (shortId): 8 characters tell peers apart at a
 * glance, and nobody types them.
 */
export function accountAddress(id: string): string {
  let address = addresses.get(id);
  if (address === undefined) {
    address = encodeAddress(id);
    if (addresses.size >= MAX_CACHED_ADDRESSES) addresses.clear();
    addresses.set(id, address);
  }
  return address;
}

/** A party to a transfer as the user reads it: "you" for this tab's own id. */
export function partyLabel(id: string, selfId: string | undefined): string {
  return id === selfId ? 'you' : shortId(id);
}

/**
 * One formatter for every row: toLocaleTimeString builds a new Intl.DateTimeFormat per call,
 * which was 7-8% of a tab's main thread at 25 tx/s (bench --diagnose profile, docs/PERFORMANCE.md).
 */
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Local wall-clock time with seconds, e.g. "14:03:27". */
export function formatTime(atMs: number): string {
  return timeFormat.format(atMs);
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

/**
 * Short form of a block hash, e.g. "0000…3fa91c". A block hash starts with the
 * zeros its proof-of-work demanded, so its head tells blocks apart poorly: show
 * a hint of the head and 24 bits of the tail.
 */
export function shortHash(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 4)}…${hash.slice(-6)}` : hash;
}

/**
 * How long ago something happened, e.g. "12 s ago", "3 min ago", "2 h ago".
 * A time in the future (a miner's clock may run up to 2 minutes ahead) reads "just now".
 */
export function formatAge(atMs: number, nowMs: number): string {
  const seconds = Math.floor((nowMs - atMs) / 1000);
  if (!Number.isFinite(seconds) || seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

const HASH_RATE_UNITS = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s'] as const;

/** `value` scaled by thousands into `units`, with three significant figures (whole numbers in the first unit). */
function withDecimalUnit(value: number, units: readonly string[]): string {
  let scaled = value;
  let unit = 0;
  while (scaled >= 999.5 && unit < units.length - 1) {
    scaled /= 1000;
    unit++;
  }
  const digits = unit === 0 || scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2;
  return `${scaled.toFixed(digits)} ${units[unit]}`;
}

/** Hashes per second with a unit and three significant figures, e.g. "950 H/s", "12.3 kH/s", "1.25 MH/s". */
export function formatHashRate(hashesPerSecond: number): string {
  if (!Number.isFinite(hashesPerSecond) || hashesPerSecond <= 0) return '0 H/s';
  return withDecimalUnit(hashesPerSecond, HASH_RATE_UNITS);
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** Bytes in decimal units with three significant figures, e.g. "512 B", "12.3 KB", "1.25 MB". */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  return withDecimalUnit(bytes, BYTE_UNITS);
}

/** A length of time, coarse and short: "45 s", "3 min", "2 h 5 min", "3 d". */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (!Number.isFinite(seconds) || seconds < 1) return '0 s';
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d`;
}

/** A rate with up to one decimal, trimmed: "0", "3.5", "120". */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '0';
  return perSecond >= 100 ? String(Math.round(perSecond)) : String(Math.round(perSecond * 10) / 10);
}

/** A short number for a chart axis: "0", "0.5", "12", "3.4k", "1.2M". */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return '';
  const abs = Math.abs(value);
  const trim = (n: number) => String(Math.round(n * 10) / 10);
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e3) return `${trim(value / 1e3)}k`;
  return trim(value);
}
