/**
 * Byte-level mutation of valid inputs, as libFuzzer and AFL do: most bugs sit
 * one edit away from a valid frame (a length one too long, a count past its
 * limit, a frame cut short), where random bytes rarely land. Each mutation
 * is a plain record, so fast-check can shrink it and the corpus can store it.
 */
import * as fc from 'fast-check';
import { concatBytes } from '../core/bytes.ts';

export type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'splice'; at: number; bytes: Uint8Array }
  | { op: 'truncate'; at: number }
  | { op: 'extend'; bytes: Uint8Array }
  /** A boundary value (0, max, max-1, a power of two) written over a field of `width` bytes: the usual length and count bugs. */
  | { op: 'boundary'; at: number; width: 1 | 2 | 4 | 8; value: number };

const BOUNDARY_VALUES = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x1_0000, 0x7fff_ffff, 0xffff_ffff];

const position = fc.nat({ max: 1 << 16 });

/** One mutation; `donor` supplies bytes for splices (another valid input, so structure crosses over). */
export function mutationArbitrary(donor: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Mutation> {
  return fc.oneof(
    fc.record({ op: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ op: fc.constant('set' as const), at: position, value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ op: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ op: fc.constant('delete' as const), at: position, count: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ op: fc.constant('splice' as const), at: position, bytes: donor }),
    fc.record({ op: fc.constant('truncate' as const), at: position }),
    fc.record({ op: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
    fc.record({
      op: fc.constant('boundary' as const), at: position, width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
      value: fc.constantFrom(...BOUNDARY_VALUES),
    }),
  );
}

/** Applies one mutation; positions wrap around the input's length, so every recorded mutation applies to any input. */
export function applyMutation(input: Uint8Array, mutation: Mutation): Uint8Array {
  const at = (slack: number) => ('at' in mutation ? mutation.at % (input.length + slack) : 0);
  switch (mutation.op) {
    case 'flip': {
      if (input.length === 0) return input;
      const out = input.slice();
      out[at(0)]! ^= 1 << mutation.bit;
      return out;
    }
    case 'set': {
      if (input.length === 0) return input;
      const out = input.slice();
      out[at(0)] = mutation.value;
      return out;
    }
    case 'insert':
    case 'splice': {
      const i = at(1);
      // A splice overwrites (crossing structure over); an insert shifts what follows.
      const rest = mutation.op === 'splice' ? input.subarray(Math.min(input.length, i + mutation.bytes.length)) : input.subarray(i);
      return concatBytes(input.subarray(0, i), mutation.bytes, rest);
    }
    case 'delete': {
      const i = at(0);
      return concatBytes(input.subarray(0, i), input.subarray(i + mutation.count));
    }
    case 'truncate':
      return input.slice(0, at(0));
    case 'extend':
      return concatBytes(input, mutation.bytes);
    case 'boundary': {
      if (input.length === 0) return input;
      const out = input.slice();
      const i = at(0);
      for (let b = 0; b < mutation.width && i + b < out.length; b++) {
        // Big-endian, as every tabmesh encoding is.
        out[i + b] = Math.floor(mutation.value / 2 ** (8 * (mutation.width - 1 - b))) & 0xff;
      }
      return out;
    }
  }
}

/** `valid`, mutated 1–4 times (splicing in bytes of other valid inputs). */
export function mutatedBytes(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.tuple(valid, fc.array(mutationArbitrary(valid), { minLength: 1, maxLength: 4 }))
    .map(([input, mutations]) => mutations.reduce(applyMutation, input));
}

/**
 * The byte inputs of a binary decoder: valid encodings (so the round-trip
 * invariant is exercised), their mutations (most of the run), and noise.
 */
export function untrustedBytes(valid: fc.Arbitrary<Uint8Array>, maxNoiseBytes = 512): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { arbitrary: valid, weight: 2 },
    { arbitrary: mutatedBytes(valid), weight: 6 },
    { arbitrary: fc.uint8Array({ maxLength: maxNoiseBytes }), weight: 1 },
  );
}

const encoder = new TextEncoder();
/** Lossy on purpose: a mutated text is whatever a browser would hand over, U+FFFD included. */
const decoder = new TextDecoder();

/** `valid` texts mutated at the UTF-8 byte level, then decoded as a socket or file reader would. */
export function mutatedText(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return mutatedBytes(valid.map((text) => encoder.encode(text))).map((bytes) => decoder.decode(bytes));
}
