/**
 * The attacker of bench/figures/relay-flood.ts, in a child process of its own
 * so that its CPU is not charged to the honest clients measured in the
 * parent. It floods the relay two ways at once, for `floodMs`:
 *
 *  - idle sockets: `idleSockets` upgrades opened together and held, never
 *    joining;
 *  - fuzzed frames: `frames` relay client frames from the relay-client fuzz
 *    target (src/fuzz/targets/signaling.ts: valid messages, fields swapped
 *    for odd values, 20,000-deep nested arrays, byte mutations of valid
 *    frames, noise), written in bursts of FRAMES_PER_SOCKET over fresh
 *    sockets by FRAME_WORKERS workers, each opening another socket as soon as
 *    the last one is closed or refused.
 *
 * Every socket carries X-Forwarded-For: the relay under test trusts one
 * proxy hop, so this header is the attacker's address, as a proxy would
 * write it. `addresses` = 1 puts the whole flood on 127.0.0.1 (one machine);
 * more spreads it over that many addresses (a botnet).
 *
 *   parent → child  {type: 'prepare', …AttackerInit} | {type: 'start'}
 *   child → parent  {type: 'prepared'} | {type: 'done', …AttackerReport}
 */
import * as fc from 'fast-check';
import WebSocket from 'ws';
import { relayClientTarget } from '../../src/fuzz/targets/signaling.ts';

export interface AttackerInit {
  url: string;
  idleSockets: number;
  frames: number;
  floodMs: number;
  /** Distinct client addresses the flood comes from; 1 = all from 127.0.0.1. */
  addresses: number;
  /** fast-check seed of the frames, so every run sends the same ones. */
  seed: number;
}

export interface AttackerReport {
  idle: { opened: number; refused: Record<string, number>; failed: number };
  frames: { written: number; socketsOpened: number; socketsRefused: Record<string, number>; failed: number };
  /** How the relay closed the attacker's sockets, by close code. */
  closes: Record<string, number>;
}

/** Frames written on each socket before the next: 10 protocol errors close a socket, so most of a burst meets a closed one. */
const FRAMES_PER_SOCKET = 50;
/** Concurrent frame senders. */
const FRAME_WORKERS = 8;

const bump = (counts: Record<string, number>, key: string): void => void (counts[key] = (counts[key] ?? 0) + 1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The n-th attacker address: 127.0.0.1 alone, or 10.x.y.z from a pool of `addresses`. */
function addressOf(n: number, addresses: number): string {
  if (addresses <= 1) return '127.0.0.1';
  const i = n % addresses;
  return `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`;
}

type Opened = { ok: true; ws: WebSocket } | { ok: false; why: string };

function open(url: string, address: string, closes: Record<string, number>): Promise<Opened> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, headers: { 'X-Forwarded-For': address } });
    ws.on('unexpected-response', (_req, res) => {
      ws.terminate();
      resolve({ ok: false, why: `HTTP ${res.statusCode}` });
    });
    ws.on('error', (error) => resolve({ ok: false, why: error.message }));
    ws.on('open', () => resolve({ ok: true, ws }));
    ws.on('close', (code) => bump(closes, String(code)));
    ws.on('message', () => undefined); // challenges and errors: read and dropped
  });
}

async function flood(init: AttackerInit, frames: string[]): Promise<AttackerReport> {
  const report: AttackerReport = { idle: { opened: 0, refused: {}, failed: 0 }, frames: { written: 0, socketsOpened: 0, socketsRefused: {}, failed: 0 }, closes: {} };
  const deadline = performance.now() + init.floodMs;
  const held: WebSocket[] = [];
  let n = 0;
  const idle = Promise.all(Array.from({ length: init.idleSockets }, async () => {
    const opened = await open(init.url, addressOf(n++, init.addresses), report.closes);
    if (opened.ok) {
      report.idle.opened++;
      held.push(opened.ws);
    } else if (opened.why.startsWith('HTTP')) bump(report.idle.refused, opened.why);
    else report.idle.failed++;
  }));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < frames.length && performance.now() < deadline) {
      const opened = await open(init.url, addressOf(n++, init.addresses), report.closes);
      if (!opened.ok) {
        if (opened.why.startsWith('HTTP')) bump(report.frames.socketsRefused, opened.why);
        else report.frames.failed++;
        await sleep(5);
        continue;
      }
      report.frames.socketsOpened++;
      const { ws } = opened;
      for (let i = 0; i < FRAMES_PER_SOCKET && next < frames.length && ws.readyState === WebSocket.OPEN; i++) {
        ws.send(frames[next++]!);
        report.frames.written++;
      }
      // Give the relay its turn to close the socket; one that stays open is held to the end, like the idle ones.
      await Promise.race([new Promise((resolve) => ws.once('close', resolve)), sleep(100)]);
      if (ws.readyState === WebSocket.OPEN) held.push(ws);
    }
  };
  await Promise.all([idle, ...Array.from({ length: FRAME_WORKERS }, worker)]);
  await sleep(Math.max(0, deadline - performance.now()));
  for (const ws of held) ws.terminate();
  return report;
}

if (process.send) {
  let init: AttackerInit | undefined;
  let frames: string[] = [];
  process.on('message', (message: { type: string } & Partial<AttackerInit>) => {
    if (message.type === 'prepare') {
      init = message as AttackerInit;
      frames = fc.sample(relayClientTarget.arbitrary, { numRuns: init.frames, seed: init.seed });
      process.send!({ type: 'prepared' });
    } else if (message.type === 'start' && init) {
      void flood(init, frames).then((report) => process.send!({ type: 'done', ...report }));
    }
  });
  process.on('disconnect', () => process.exit(0));
}
