/**
 * Several frames in one data-channel message (docs/PROTOCOL.md, "Bundles").
 * Every message has a fixed cost in the browser (the send call, SCTP, DTLS,
 * a thread hop and a message event on the other side: about 50 µs of the
 * sender's main thread alone, measured), so the frames a task queues for one
 * peer (an INV, a GETDATA, the bodies that answer one) leave together:
 *
 *   frameVersion u8 | 0x0e | ( length u16 | frame )+
 *
 * Each inner frame is a whole frame (version, type, payload) of at least two
 * bytes and never itself a bundle; the message stays within MAX_FRAME_BYTES.
 * The receiver handles the inner frames in order, each exactly as if it had
 * come alone (rate limit, HELLO rules, parsing).
 */
import { FRAME_VERSION, MAX_FRAME_BYTES } from './frames.ts';
import { accept, reject, type Result } from './result.ts';

export const BUNDLE_FRAME_TYPE = 0x0e;
/** Version and type bytes, then a u16 length before each inner frame. */
const HEADER_BYTES = 2;
const LENGTH_BYTES = 2;

export const isBundle = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[1] === BUNDLE_FRAME_TYPE;

/**
 * Packs `frames` (in order) into as few messages as fit MAX_FRAME_BYTES. A
 * frame alone in its message is sent as it is, without the bundle's overhead.
 */
export function packFrames(frames: readonly Uint8Array[]): Uint8Array[] {
  const messages: Uint8Array[] = [];
  let group: Uint8Array[] = [];
  let groupBytes = HEADER_BYTES;
  const close = () => {
    if (group.length === 1) messages.push(group[0]!);
    else if (group.length > 1) messages.push(bundle(group, groupBytes));
    group = [];
    groupBytes = HEADER_BYTES;
  };
  for (const frame of frames) {
    if (groupBytes + LENGTH_BYTES + frame.length > MAX_FRAME_BYTES) close();
    group.push(frame);
    groupBytes += LENGTH_BYTES + frame.length;
  }
  close();
  return messages;
}

function bundle(frames: readonly Uint8Array[], totalBytes: number): Uint8Array {
  const out = new Uint8Array(totalBytes);
  out[0] = FRAME_VERSION;
  out[1] = BUNDLE_FRAME_TYPE;
  let offset = HEADER_BYTES;
  for (const frame of frames) {
    out[offset] = frame.length >>> 8;
    out[offset + 1] = frame.length & 0xff;
    out.set(frame, offset + LENGTH_BYTES);
    offset += LENGTH_BYTES + frame.length;
  }
  return out;
}

/** The inner frames of a bundle (views into `bytes`), or why it is malformed. */
export function splitBundle(bytes: Uint8Array): Result<Uint8Array[]> {
  if (bytes.length > MAX_FRAME_BYTES) return reject('too-large', `bundle is ${bytes.length} bytes, limit ${MAX_FRAME_BYTES}`);
  if (bytes[0] !== FRAME_VERSION) return reject('bad-version', `frame version ${bytes[0]}, expected ${FRAME_VERSION}`);
  const frames: Uint8Array[] = [];
  let offset = HEADER_BYTES;
  while (offset < bytes.length) {
    if (offset + LENGTH_BYTES > bytes.length) return reject('truncated', 'bundle ends inside a length');
    const length = (bytes[offset]! << 8) | bytes[offset + 1]!;
    const start = offset + LENGTH_BYTES;
    if (length < 2) return reject('truncated', `bundled frame of ${length} bytes`);
    if (start + length > bytes.length) return reject('truncated', `bundled frame of ${length} bytes runs past the bundle`);
    const frame = bytes.subarray(start, start + length);
    if (isBundle(frame)) return reject('bad-field', 'a bundle inside a bundle');
    frames.push(frame);
    offset = start + length;
  }
  if (frames.length === 0) return reject('truncated', 'an empty bundle');
  return accept(frames);
}
