/**
 * Scripted relay clients for the relay benches (bench/relay-scale.ts,
 * bench/figures/relay-flood.ts): raw WebSocket clients that do the real
 * challenge / sign / join of docs/PROTOCOL.md "Relay". They sign with
 * node:crypto's Ed25519 (RFC 8032 signatures, as the tabs make) so that
 * signing does not dominate what is measured.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import { fromHex } from '../../src/core/bytes.ts';
import { mintIdentityStamp } from '../../src/core/identity-stamp.ts';
import { challengeBytes, joinSigningBytes } from '../../src/core/relay-protocol.ts';

export interface RelayKey {
  peerId: string;
  privateKey: KeyObject;
  /** A stamp good for `stampBits` (makeRelayKeys); 0 when the relay asks no work. */
  identityStamp: number;
}

/**
 * `count` Ed25519 identities. With `stampBits` > 0 each is stamped
 * (core/identity-stamp.ts): main's 20 bits cost about a second each here,
 * so mint once and reuse the keys across runs.
 */
export function makeRelayKeys(count: number, stampBits = 0): RelayKey[] {
  return Array.from({ length: count }, () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const peerId = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('hex');
    return { peerId, privateKey, identityStamp: stampBits > 0 ? mintIdentityStamp(fromHex(peerId)!, stampBits) : 0 };
  });
}

export interface RelayMember {
  ws: WebSocket;
  peerId: string;
  /** The ids in the welcome. */
  sample: string[];
  /** Signals received since the welcome. */
  received: number;
}

export interface JoinOptions {
  network: string;
  /** Extra upgrade headers, e.g. X-Forwarded-For for a relay that trusts one proxy hop. */
  headers?: Record<string, string>;
  /** Every frame after the welcome, as text (signals are also counted in `received`). */
  onFrame?: (member: RelayMember, text: string) => void;
}

/** The relay turned the socket or the join away (HTTP status or error frame). */
export class RelayRefusedError extends Error {
  override readonly name = 'RelayRefusedError';
}

/** Connects, answers the challenge with a real signature and resolves on the welcome. */
export function joinRelay(url: string, key: RelayKey, options: JoinOptions): Promise<RelayMember> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, headers: options.headers });
    const member: RelayMember = { ws, peerId: key.peerId, sample: [], received: 0 };
    let state: 'challenge' | 'welcome' | 'joined' = 'challenge';
    ws.on('error', reject);
    ws.on('unexpected-response', (_req, res) => {
      ws.terminate();
      reject(new RelayRefusedError(`relay refused the socket: HTTP ${res.statusCode}`));
    });
    ws.on('close', (code, reason) => {
      if (state !== 'joined') reject(new RelayRefusedError(`relay closed before the welcome: ${code} ${reason.toString()}`));
    });
    ws.on('message', (data) => {
      const text = String(data);
      if (state === 'joined') {
        if (text.startsWith('{"type":"signal"')) member.received++;
        options.onFrame?.(member, text);
        return;
      }
      const message = JSON.parse(text) as { type: string; nonce?: string; peers?: string[] };
      if (state === 'challenge' && message.type === 'challenge') {
        const signature = sign(null, joinSigningBytes(options.network, challengeBytes(message.nonce!)!), key.privateKey).toString('hex');
        ws.send(JSON.stringify({ type: 'join', network: options.network, peerId: key.peerId, signature, identityStamp: key.identityStamp }));
        state = 'welcome';
      } else if (state === 'welcome' && message.type === 'welcome') {
        member.sample = message.peers ?? [];
        state = 'joined';
        resolve(member);
      } else if (message.type === 'error') {
        reject(new RelayRefusedError(`relay refused the join: ${text}`));
      }
    });
  });
}

