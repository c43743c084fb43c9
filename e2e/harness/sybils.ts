/**
 * Scripted Sybils for the relay (issue 20 §5): identities with valid stamps
 * that join a room and then say nothing, from loopback addresses other than
 * the tabs' 127.0.0.1 (Linux routes all of 127/8 to lo), as hosts elsewhere
 * would. Each id costs its stamp: a test network's 8 bits.
 */
import * as ed from '@noble/ed25519';
import { randomBytes } from 'node:crypto';
import { toHex } from '../../src/core/bytes.ts';
import { mintIdentityStamp } from '../../src/core/identity-stamp.ts';
import { chainParams } from '../../src/core/ledger/params.ts';
import { TestClient, joinMessage, type Identity } from '../../test/helpers/relay-test-client.ts';

/** A fresh identity with a stamp good for `network`. */
export async function sybilIdentity(network: string): Promise<Identity> {
  const secretKey = randomBytes(32);
  const publicKey = await ed.getPublicKeyAsync(secretKey);
  return { peerId: toHex(publicKey), secretKey, identityStamp: mintIdentityStamp(publicKey, chainParams(network).identityStampBits) };
}

export type SybilOutcome = 'joined' | 'refused';

/**
 * Connects from `localAddress`, answers the challenge and reports whether the
 * relay let it in; a joined Sybil stays connected (ws answers the relay's
 * pings) and silent: it never answers an offer.
 */
export async function joinSilently(url: string, network: string, localAddress: string, clients: TestClient[]): Promise<SybilOutcome> {
  const identity = await sybilIdentity(network);
  let client: TestClient;
  try {
    client = await TestClient.connect(url, { localAddress });
  } catch (error) {
    // HTTP 429/503 at the upgrade: the per-address join or pending limits. Anything else (no server) is a failure.
    if (error instanceof Error && /Unexpected server response: (429|503)/.test(error.message)) return 'refused';
    throw error;
  }
  clients.push(client);
  try {
    const { nonce } = await client.expect('challenge');
    client.sendJson(await joinMessage(identity, network, nonce));
    const reply = await client.next(5_000);
    return reply.type === 'welcome' ? 'joined' : 'refused';
  } catch {
    return 'refused'; // closed before a welcome
  }
}

/** Sockets a host opens at once: the relay lets an address hold 32 that have not joined yet. */
const JOINS_PER_ROUND = 25;

/**
 * Fills the room with `perHost` silent Sybils from each of `hosts`, in rounds
 * of 25 per host, and resolves how many the relay let in.
 */
export async function fillRoom(url: string, network: string, hosts: readonly string[], perHost: number, clients: TestClient[]): Promise<number> {
  let joined = 0;
  for (let done = 0; done < perHost; done += JOINS_PER_ROUND) {
    const round = Math.min(JOINS_PER_ROUND, perHost - done);
    const outcomes = await Promise.all(hosts.flatMap((host) => Array.from({ length: round }, () => joinSilently(url, network, host, clients))));
    joined += outcomes.filter((outcome) => outcome === 'joined').length;
  }
  return joined;
}

/**
 * The relay URL as Sybils on other loopback addresses reach it: `localhost`
 * becomes 127.0.0.1 (it may resolve to ::1, which a 127.R.n.1 source cannot
 * reach). A relay on another machine cannot be reached from loopback sources
 * at all, so that throws.
 */
export function loopbackRelayUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === 'localhost') parsed.hostname = '127.0.0.1';
  if (!/^127\.\d+\.\d+\.\d+$/.test(parsed.hostname)) throw new Error(`Sybils join from loopback addresses, so the relay must be on 127.0.0.0/8, not ${parsed.hostname}`);
  return parsed.toString();
}
