/**
 * Consensus across implementations (issue 23, part 2): the public Ed25519
 * edge-vector suites in test/fixtures/ed25519/ (Wycheproof, the speccheck
 * cases of "Taming the many EdDSAs", ZIP 215's 196 small-order cases, C2SP
 * CCTV), run under tabmesh's rule (ed25519-rules.ts) through every backend
 * Node has: noble, WebCrypto, and the verify worker's own request handler,
 * which picks a backend the way a tab or a full node does.
 *
 * Every backend must give the identical verdict on every case, and the
 * verdicts must equal test/fixtures/ed25519/expected-verdicts.json, which
 * e2e/ed25519-vectors.spec.ts also checks inside Chromium's and Firefox's
 * verify worker. A change of verdict is a consensus change: it fails here
 * until the file is rewritten on purpose with
 * `npx vitest run src/crypto/ed25519-vectors.test.ts -u` and the diff is
 * reviewed (docs/SECURITY.md, "Signature rules").
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../core/bytes.ts';
import type { VerifyItem } from '../core/types.ts';
import { handleVerifyRequest, MAX_REQUEST_ITEMS } from '../worker/verify-protocol.ts';
import { createEd25519Verifier, createNobleEd25519Verifier, createWebCryptoEd25519Verifier, type Ed25519Verifier } from './ed25519.ts';
import { SMALL_ORDER_ENCODINGS } from './ed25519-rules.ts';
import {
  allVectorCases,
  cctvCases,
  EXPECTED_VERDICTS_PATH,
  speccheckCases,
  wycheproofCases,
  zip215Cases,
  type ExpectedVerdicts,
  type VectorCase,
} from '../../test/fixtures/ed25519/vector-suites.ts';

const toItem = (c: VectorCase): VerifyItem => ({ publicKey: fromHex(c.publicKey)!, message: fromHex(c.message)!, signature: fromHex(c.signature)! });

const cases = allVectorCases();

/** Verdicts per backend, keyed by case id; filled once, before the tests. */
const verdicts: Record<'noble' | 'webcrypto' | 'worker', Map<string, boolean>> = { noble: new Map(), webcrypto: new Map(), worker: new Map() };
let workerBackend = '';

async function verifyAll(verifier: Ed25519Verifier, into: Map<string, boolean>): Promise<void> {
  for (const c of cases) into.set(c.id, await verifier.verify(toItem(c)));
}

beforeAll(async () => {
  await verifyAll(createNobleEd25519Verifier(), verdicts.noble);
  await verifyAll(await createWebCryptoEd25519Verifier(globalThis.crypto.subtle), verdicts.webcrypto);
  // The worker's handler, fed requests of at most MAX_REQUEST_ITEMS as the pool sends them.
  const detected = createEd25519Verifier();
  for (let start = 0; start < cases.length; start += MAX_REQUEST_ITEMS) {
    const chunk = cases.slice(start, start + MAX_REQUEST_ITEMS);
    const reply = await handleVerifyRequest({ id: start, items: chunk.map(toItem) }, detected);
    if (!reply.ok) throw new Error(`verify handler refused the vectors: ${reply.reason} ${reply.detail}`);
    workerBackend = reply.backend;
    chunk.forEach((c, i) => verdicts.worker.set(c.id, reply.results[i]!));
  }
});

/** The ids where `verdict` is not `expected(id)`, for a failure message that names the cases. */
function mismatches(suiteCases: readonly VectorCase[], expected: (c: VectorCase) => boolean): string[] {
  return suiteCases.filter((c) => verdicts.noble.get(c.id) !== expected(c)).map((c) => `${c.id} (${c.note})`);
}

describe('the vector files', () => {
  it('hold every case each suite publishes: 151 Wycheproof, 12 speccheck, 196 ZIP 215, 914 CCTV', () => {
    const wycheproof = wycheproofCases();
    expect(wycheproof.cases).toHaveLength(wycheproof.declaredCount);
    expect(wycheproof.cases).toHaveLength(151);
    expect(speccheckCases()).toHaveLength(12);
    expect(zip215Cases()).toHaveLength(196);
    expect(cctvCases().cases).toHaveLength(914);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });

  it('ZIP 215 is every pair of the 14 low-order encodings (8 canonical, 6 not) as A and R, with S = 0', () => {
    // ed25519-consensus tests/small_order.rs builds the suite this way; checking
    // it ties the data file to that definition.
    const encodings = new Set(zip215Cases().flatMap((c) => [c.publicKey, c.signature.slice(0, 64)]));
    expect(encodings.size).toBe(14);
    for (const canonical of SMALL_ORDER_ENCODINGS) expect(encodings).toContain(canonical);
    const pairs = new Set(zip215Cases().map((c) => `${c.publicKey}:${c.signature.slice(0, 64)}`));
    expect(pairs.size).toBe(14 * 14);
    for (const c of zip215Cases()) expect(c.signature.slice(64)).toBe('0'.repeat(64));
  });
});

describe('every backend gives the same verdict on every case', () => {
  it('noble, WebCrypto and the verify worker\'s handler agree on all 1,273 cases', () => {
    expect(verdicts.noble.size).toBe(cases.length);
    const split = cases.filter((c) => verdicts.webcrypto.get(c.id) !== verdicts.noble.get(c.id) || verdicts.worker.get(c.id) !== verdicts.noble.get(c.id));
    expect(split.map((c) => `${c.id}: noble ${verdicts.noble.get(c.id)}, webcrypto ${verdicts.webcrypto.get(c.id)}, worker ${verdicts.worker.get(c.id)}`)).toEqual([]);
    // Node has WebCrypto Ed25519, so the handler must have chosen it, not the fallback.
    expect(workerBackend).toBe('webcrypto');
  });

  it('the verdicts are the pinned ones in expected-verdicts.json (a change must be deliberate: run with -u and review the diff)', async () => {
    // Without this, a missing file would be written silently and pass.
    expect(existsSync(EXPECTED_VERDICTS_PATH), `${EXPECTED_VERDICTS_PATH} is missing`).toBe(true);
    const pinned: ExpectedVerdicts = {
      about:
        "tabmesh's verdict on every case of the public Ed25519 suites in this folder (src/crypto/ed25519-rules.ts). Checked by src/crypto/ed25519-vectors.test.ts (noble, WebCrypto, the verify handler in Node) and e2e/ed25519-vectors.spec.ts (the verify worker in Chromium and Firefox). A change here is a consensus change: regenerate only on purpose, with `npx vitest run src/crypto/ed25519-vectors.test.ts -u`.",
      verdicts: Object.fromEntries(cases.map((c) => [c.id, verdicts.noble.get(c.id)!])),
    };
    await expect(`${JSON.stringify(pinned, null, 2)}\n`).toMatchFileSnapshot(EXPECTED_VERDICTS_PATH);
  });
});

describe("each verdict follows from tabmesh's rule and the suite's own description", () => {
  it('Wycheproof: accepted exactly when the suite says "valid"', () => {
    const { cases: wycheproof, results } = wycheproofCases();
    expect(mismatches(wycheproof, (c) => results.get(c.id) === 'valid')).toEqual([]);
  });

  it('speccheck: only case 3 (mixed-order A and R, valid cofactorless) is accepted', () => {
    // README table: 0-2 have a small-order A or R (rule 3/4); 4 and 5 hold only
    // under the cofactored equation (rule 5 is cofactorless); 6 and 7 have
    // S >= L (rule 2); 8-11 have a non-canonical R or A (rules 3, 5).
    expect(mismatches(speccheckCases(), (c) => c.id === 'speccheck/3')).toEqual([]);
  });

  it('ZIP 215: every case is rejected, since every public key has small order', () => {
    expect(mismatches(zip215Cases(), () => false)).toEqual([]);
  });

  it('CCTV: accepted exactly when no flag names a small-order or non-canonical A or R, or a residue only cofactored formulas cancel', () => {
    // low_order_component_* alone is accepted: tabmesh rejects small-order
    // points, not points with a torsion component (ed25519-rules.ts).
    const rejecting = new Set(['low_order_A', 'low_order_R', 'non_canonical_A', 'non_canonical_R', 'low_order_residue']);
    const { cases: cctv, flags } = cctvCases();
    expect(mismatches(cctv, (c) => !(flags.get(c.id) ?? []).some((flag) => rejecting.has(flag)))).toEqual([]);
    expect(cctv.filter((c) => verdicts.noble.get(c.id)).length).toBe(43);
  });
});
