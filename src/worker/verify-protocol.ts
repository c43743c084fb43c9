/**
 * Messages between the verifier pool (main thread) and its workers, and the
 * pure request handler the worker runs. Kept apart from verify-worker.ts so
 * Node tests can drive the handler without a Worker global.
 *
 *   pool -> worker  VerifyRequest  {id, items: {publicKey, message, signature}[]}
 *   worker -> pool  VerifyReply    {id, ok: true, results, backend}
 *                                | {id, ok: false, reason, detail}
 */
import type { VerifyItem } from '../core/types.ts';

/**
 * Most items in one request. The pool splits bigger batches, so one message
 * never holds a worker for long: 512 WebCrypto checks take about 25 ms, and
 * a crash loses at most that much work.
 */
export const MAX_REQUEST_ITEMS = 512;
/**
 * Largest signed message the worker accepts. Transaction signing bytes are
 * about 110 bytes; 64 KiB leaves room for future signed headers while
 * bounding what one request can make the worker hash.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024;

export interface VerifyRequest {
  /** Chosen by the pool, echoed in the reply; a non-negative safe integer. */
  id: number;
  items: VerifyItem[];
}

export type VerifyErrorReason = 'malformed-request' | 'too-large' | 'verify-failed';

export type VerifyReply =
  | { id: number; ok: true; results: boolean[]; backend: string }
  /** `id` is null when the request was too malformed to carry one. */
  | { id: number | null; ok: false; reason: VerifyErrorReason; detail: string };

/** What the handler needs from a verifier: src/crypto/ed25519.ts provides it. */
export interface ItemVerifier {
  readonly backend: string;
  verify(item: VerifyItem): Promise<boolean>;
}

type Parsed = { ok: true; request: VerifyRequest } | Extract<VerifyReply, { ok: false }>;

const isId = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function fail(id: number | null, reason: VerifyErrorReason, detail: string): Extract<VerifyReply, { ok: false }> {
  return { id, ok: false, reason, detail };
}

/** Checks the shape and limits of an incoming request before any work is done. */
export function parseVerifyRequest(data: unknown): Parsed {
  if (typeof data !== 'object' || data === null) return fail(null, 'malformed-request', 'request must be an object');
  const { id, items } = data as { id?: unknown; items?: unknown };
  if (!isId(id)) return fail(null, 'malformed-request', 'id must be a non-negative safe integer');
  if (!Array.isArray(items)) return fail(id, 'malformed-request', 'items must be an array');
  if (items.length > MAX_REQUEST_ITEMS) return fail(id, 'too-large', `${items.length} items, limit ${MAX_REQUEST_ITEMS}`);
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    if (typeof item !== 'object' || item === null) return fail(id, 'malformed-request', `items[${i}] must be an object`);
    for (const field of ['publicKey', 'message', 'signature'] as const) {
      if (!((item as Record<string, unknown>)[field] instanceof Uint8Array)) {
        return fail(id, 'malformed-request', `items[${i}].${field} must be a Uint8Array`);
      }
    }
    const { message } = item as VerifyItem;
    if (message.length > MAX_MESSAGE_BYTES) return fail(id, 'too-large', `items[${i}].message is ${message.length} bytes, limit ${MAX_MESSAGE_BYTES}`);
  }
  return { ok: true, request: { id, items: items as VerifyItem[] } };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Answers one request. Never rejects: a malformed request or a verifier
 * failure becomes an error reply, so the worker's onmessage cannot throw.
 * Wrong key or signature lengths are not malformed: they verify as false.
 */
export async function handleVerifyRequest(data: unknown, verifier: ItemVerifier | PromiseLike<ItemVerifier>): Promise<VerifyReply> {
  const parsed = parseVerifyRequest(data);
  if (!parsed.ok) return parsed;
  const { id, items } = parsed.request;
  try {
    const ready = await verifier;
    const results = await Promise.all(items.map((item) => ready.verify(item)));
    return { id, ok: true, results, backend: ready.backend };
  } catch (error) {
    return fail(id, 'verify-failed', describe(error));
  }
}

/** Checks a worker's reply; undefined when it is not a VerifyReply. */
export function parseVerifyReply(data: unknown): VerifyReply | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const reply = data as Record<string, unknown>;
  if (reply.ok === true) {
    const { id, results, backend } = reply;
    if (!isId(id) || typeof backend !== 'string') return undefined;
    if (!Array.isArray(results) || !results.every((result) => typeof result === 'boolean')) return undefined;
    return { id, ok: true, results: results as boolean[], backend };
  }
  if (reply.ok === false) {
    const { id, reason, detail } = reply;
    if (!(id === null || isId(id)) || typeof detail !== 'string') return undefined;
    if (reason !== 'malformed-request' && reason !== 'too-large' && reason !== 'verify-failed') return undefined;
    return { id, ok: false, reason, detail };
  }
  return undefined;
}

/**
 * Copies `items` into one fresh ArrayBuffer and returns views on it, plus the
 * buffer to transfer. Transferring the caller's own buffers would detach them
 * (they may be views into a received frame), so one copy is made and moved,
 * which also spares structured clone from copying each array separately.
 */
export function packVerifyRequest(id: number, items: readonly VerifyItem[]): { request: VerifyRequest; transfer: ArrayBuffer[] } {
  let total = 0;
  for (const item of items) total += item.publicKey.length + item.message.length + item.signature.length;
  const buffer = new ArrayBuffer(total);
  let offset = 0;
  const copy = (bytes: Uint8Array): Uint8Array => {
    const view = new Uint8Array(buffer, offset, bytes.length);
    view.set(bytes);
    offset += bytes.length;
    return view;
  };
  const packed = items.map((item) => ({ publicKey: copy(item.publicKey), message: copy(item.message), signature: copy(item.signature) }));
  return { request: { id, items: packed }, transfer: [buffer] };
}

/**
 * The body of a verification worker, whatever its host (a Web Worker in a
 * tab, a worker thread in the full node): detects the Ed25519 backend once,
 * and returns the handler for each incoming message, which always answers
 * through `post`. Requests that arrive during detection wait on it; if it
 * fails, every request gets a 'verify-failed' reply naming the error.
 */
export function serveVerifyRequests(post: (reply: VerifyReply) => void, label: string, detect: () => Promise<ItemVerifier & { fallbackReason?: string }>): (data: unknown) => void {
  const verifier = detect();
  verifier.then(
    (ready) => {
      if (ready.fallbackReason) console.warn(`${label}: using noble (${ready.fallbackReason})`);
    },
    (error: unknown) => console.error(`${label}: no Ed25519 backend`, error),
  );
  const reply = (message: VerifyReply): void => {
    try {
      post(message);
    } catch (error) {
      // Replies are plain data, so this should not happen; if it does, the pool
      // still needs an answer for this id or its promise would hang.
      post({ id: message.id, ok: false, reason: 'verify-failed', detail: `could not post reply: ${String(error)}` });
    }
  };
  // handleVerifyRequest never rejects, so nothing escapes the handler.
  return (data) => void handleVerifyRequest(data, verifier).then(reply);
}
