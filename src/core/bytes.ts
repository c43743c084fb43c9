/**
 * Byte helpers shared by every codec. Readers check bounds before they
 * allocate, so a malformed frame becomes a rejection, never a RangeError deep
 * inside a parser.
 */

const HEX = /^(?:[0-9a-f]{2})*$/;
/** Char codes of '0'-'9a-f', and hex digit char code → value (-1: not lower-case hex); hex runs for every id on the hot path. */
const HEX_CODES = Array.from('0123456789abcdef', (char) => char.charCodeAt(0));
const HEX_DIGIT = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) HEX_DIGIT[digit.toString(16).charCodeAt(0)] = digit;

/** ASCII hex digits decode to the same characters in UTF-8; one decode gives a flat string. */
const hexDecoder = new TextDecoder();

/**
 * Lower-case hex of `bytes`: the digits' char codes, decoded once. Not built
 * by `+=`: appending two digits at a time leaves a rope of 31 cons strings
 * per 32-byte id (about 1 KB, against 80 bytes flat); every id a peer record
 * carries stays in memory that way, and hashing a rope for a Map key walks
 * it. Measured in the simulator: ropes of hex ids were 23% of the heap at
 * 100 tabs (each tab's book keeps 17 ids per record), and decoding was 3-7x
 * faster than `+=` (the heap after GC: 92 MB before, 77 MB after).
 */
export function toHex(bytes: Uint8Array): string {
  const codes = new Uint8Array(2 * bytes.length);
  for (let i = 0, j = 0; i < bytes.length; i++, j += 2) {
    codes[j] = HEX_CODES[bytes[i]! >> 4]!;
    codes[j + 1] = HEX_CODES[bytes[i]! & 15]!;
  }
  return hexDecoder.decode(codes);
}

/** Parses lower-case hex; returns undefined for odd length or non-hex input. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (typeof hex !== 'string' || hex.length % 2 !== 0) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const high = HEX_DIGIT[hex.charCodeAt(2 * i)] ?? -1;
    const low = HEX_DIGIT[hex.charCodeAt(2 * i + 1)] ?? -1;
    if (high < 0 || low < 0) return undefined;
    out[i] = (high << 4) | low;
  }
  return out;
}

/** True when `hex` is exactly `byteLength` bytes of lower-case hex. */
export function isHexOfLength(hex: unknown, byteLength: number): hex is string {
  return typeof hex === 'string' && hex.length === byteLength * 2 && HEX.test(hex);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8, returning undefined for invalid sequences instead of inserting U+FFFD. */
export function fromUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch (error) {
    if (error instanceof TypeError) return undefined;
    throw error;
  }
}

/** Thrown by ByteReader when input ends early; parsers turn it into a Reject. */
export class TruncatedInputError extends Error {
  override readonly name = 'TruncatedInputError';
}

/** Sequential big-endian writer. */
export class ByteWriter {
  private readonly chunks: Uint8Array[] = [];

  u8(value: number): this {
    this.chunks.push(Uint8Array.of(value));
    return this;
  }

  u16(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`u16: ${value} is out of range`);
    this.chunks.push(Uint8Array.of(value >> 8, value & 0xff));
    return this;
  }

  u32(value: number): this {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, value);
    this.chunks.push(bytes);
    return this;
  }

  /** Writes a non-negative safe integer as an unsigned 64-bit big-endian value. */
  u64(value: number): this {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(value));
    this.chunks.push(bytes);
    return this;
  }

  bytes(value: Uint8Array): this {
    this.chunks.push(value);
    return this;
  }

  /** A UTF-8 string with a one-byte length prefix (at most 255 bytes). */
  str8(value: string): this {
    const bytes = utf8(value);
    if (bytes.length > 255) throw new RangeError(`str8: ${bytes.length} bytes exceeds 255`);
    return this.u8(bytes.length).bytes(bytes);
  }

  /** Bytes with a four-byte length prefix. */
  bytes32(value: Uint8Array): this {
    return this.u32(value.length).bytes(value);
  }

  finish(): Uint8Array {
    return concatBytes(...this.chunks);
  }
}

/** Sequential big-endian reader that never reads past its input. */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly input: Uint8Array) {
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  get remaining(): number {
    return this.input.length - this.offset;
  }

  private need(count: number): void {
    if (count > this.remaining) throw new TruncatedInputError(`needs ${count} bytes, ${this.remaining} left`);
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }

  u16(): number {
    this.need(2);
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  /** Reads a u64; returns undefined when it exceeds Number.MAX_SAFE_INTEGER. */
  u64(): number | undefined {
    this.need(8);
    const value = this.view.getBigUint64(this.offset);
    this.offset += 8;
    return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
  }

  /** Steps over `count` bytes without copying them (a bounds check); returns where they start. */
  skip(count: number): number {
    this.need(count);
    const start = this.offset;
    this.offset += count;
    return start;
  }

  bytes(count: number): Uint8Array {
    this.need(count);
    const out = this.input.slice(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }

  /** A one-byte-length-prefixed UTF-8 string; undefined when not valid UTF-8. */
  str8(): string | undefined {
    return fromUtf8(this.bytes(this.u8()));
  }

  /** Four-byte-length-prefixed bytes, refused above `maxBytes` before allocating. */
  bytes32(maxBytes: number): Uint8Array | undefined {
    const length = this.u32();
    if (length > maxBytes) return undefined;
    return this.bytes(length);
  }
}
