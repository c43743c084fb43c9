/**
 * Messages between a page and its own workers (src/worker/): verification,
 * identity-stamp and mining requests and replies. Both ends are the same
 * build, so this is a guard against bugs rather than attacks, but each end
 * still parses what it receives, and must not throw on what it cannot use.
 * Replies that do not parse are `undefined` by design (the caller counts them
 * as a broken worker); requests are refused with a reason.
 */
import { isDeepStrictEqual } from 'node:util';
import * as fc from 'fast-check';
import { fromHex, toHex } from '../../core/bytes.ts';
import { parseMineReply, parseMineRequest } from '../../worker/mine-protocol.ts';
import { parseStampReply, parseStampRequest } from '../../worker/stamp-protocol.ts';
import { parseVerifyReply, parseVerifyRequest } from '../../worker/verify-protocol.ts';
import { checkResult, invariant, outcome, type FuzzOutcome, type FuzzTarget } from '../fuzz-target.ts';
import { untrustedJson } from '../untrusted-json.ts';

/** Workers receive structured clones, which carry Uint8Arrays; in the recipe's JSON a string "$u8:<hex>" stands for one. */
const BYTES_PREFIX = '$u8:';
const u8 = (length: number) => fc.uint8Array({ minLength: length, maxLength: length }).map((bytes) => `${BYTES_PREFIX}${toHex(bytes)}`);

/**
 * Turns "$u8:" strings into Uint8Arrays down to the depth messages carry them
 * (items[i].publicKey is three levels down). Not a JSON.parse reviver: that
 * recurses through the whole value, and the deeply nested inputs would
 * overflow the fuzzer's own stack.
 */
function reviveBytes(value: unknown, depth = 0): unknown {
  if (typeof value === 'string' && value.startsWith(BYTES_PREFIX)) return fromHex(value.slice(BYTES_PREFIX.length)) ?? value;
  if (typeof value !== 'object' || value === null || depth >= 3) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => reviveBytes(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reviveBytes(item, depth + 1)]));
}

function toCloneValue(text: string): unknown {
  try {
    return reviveBytes(JSON.parse(text));
  } catch (error) {
    if (error instanceof SyntaxError) return text;
    throw error;
  }
}

const id = fc.maxSafeNat();
const MESSAGES = {
  'verify-request': fc.record({ id, items: fc.array(fc.record({ publicKey: u8(32), message: u8(40), signature: u8(64) }), { maxLength: 3 }) }),
  'verify-reply': fc.oneof(
    fc.record({ id, ok: fc.constant(true), results: fc.array(fc.boolean(), { maxLength: 4 }), backend: fc.constantFrom('webcrypto', 'noble') }),
    fc.record({ id: fc.option(id, { nil: null }), ok: fc.constant(false), reason: fc.constantFrom('malformed-request', 'too-large', 'verify-failed'), detail: fc.string({ maxLength: 20 }) }),
  ),
  'stamp-request': fc.record({ type: fc.constant('stamp'), publicKey: u8(32), bits: fc.integer({ min: 0, max: 40 }) }),
  'stamp-reply': fc.oneof(fc.record({ type: fc.constant('stamped'), nonce: id, hashes: id }), fc.record({ type: fc.constant('error'), detail: fc.string({ maxLength: 20 }) })),
  'mine-request': fc.oneof(
    fc.record({ type: fc.constant('mine'), jobId: id, headerBytes: u8(149), target: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex), startNonce: id }),
    fc.record({ type: fc.constant('stop') }),
  ),
  'mine-reply': fc.oneof(
    fc.record({ type: fc.constant('progress'), jobId: id, hashes: id }),
    fc.record({ type: fc.constant('found'), jobId: id, nonce: id, hash: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex), hashes: id }),
    fc.record({ type: fc.constant('error'), jobId: fc.option(id, { nil: null }), reason: fc.constantFrom('malformed-request', 'nonce-space-exhausted', 'search-failed'), detail: fc.string({ maxLength: 20 }) }),
  ),
} as const;
type Kind = keyof typeof MESSAGES;

/** A parsed message, cloned and parsed again, parses the same (what one side re-posts survives the trip). */
function survivesClone(parse: (data: unknown) => unknown, message: unknown, parsed: unknown, what: string): void {
  invariant(isDeepStrictEqual(parse(structuredClone(message)), parsed), `${what}: a parsed message does not survive structuredClone`);
}

function check(kind: Kind, data: unknown): FuzzOutcome {
  switch (kind) {
    case 'verify-request': {
      const parsed = parseVerifyRequest(data);
      if (!checkResult(parsed, 'parseVerifyRequest') || !parsed.ok) return 'rejected';
      survivesClone(parseVerifyRequest, parsed.request, parsed, 'parseVerifyRequest');
      return 'accepted';
    }
    case 'stamp-request': {
      const parsed = parseStampRequest(data);
      if (parsed.type === 'error') return outcome(!checkResult({ ok: false, reason: 'error', detail: parsed.detail }, 'parseStampRequest'));
      survivesClone(parseStampRequest, parsed, parsed, 'parseStampRequest');
      return 'accepted';
    }
    case 'mine-request': {
      const parsed = parseMineRequest(data);
      if (!('ok' in parsed)) return outcome(!checkResult({ ok: false, reason: parsed.reason, detail: parsed.detail }, 'parseMineRequest'));
      survivesClone(parseMineRequest, parsed.request, parsed, 'parseMineRequest');
      return 'accepted';
    }
    case 'verify-reply':
    case 'stamp-reply':
    case 'mine-reply': {
      const parse = { 'verify-reply': parseVerifyReply, 'stamp-reply': parseStampReply, 'mine-reply': parseMineReply }[kind] as (data: unknown) => unknown;
      const parsed = parse(data);
      if (parsed === undefined) return 'rejected';
      survivesClone(parse, parsed, parsed, kind);
      return 'accepted';
    }
  }
}

export const workerMessagesTarget: FuzzTarget<{ kind: Kind; json: string }> = {
  name: 'worker-messages',
  decoders: ['worker/verify-protocol.ts parseVerifyRequest, parseVerifyReply', 'worker/stamp-protocol.ts parseStampRequest, parseStampReply', 'worker/mine-protocol.ts parseMineRequest, parseMineReply'],
  arbitrary: fc.constantFrom(...(Object.keys(MESSAGES) as Kind[])).chain((kind) => fc.record({
    kind: fc.constant(kind),
    json: untrustedJson(MESSAGES[kind] as fc.Arbitrary<Record<string, unknown>>, ['type', 'id', 'jobId', 'items']),
  })),
  check: ({ kind, json }) => check(kind, toCloneValue(json)),
};
