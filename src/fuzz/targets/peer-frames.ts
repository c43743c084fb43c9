/**
 * Peer-link frames (core/frames.ts), bundles (core/frame-bundle.ts) and the
 * ledger encodings they carry (core/tx.ts, core/ledger/block.ts).
 */
import { isBundle, packFrames, splitBundle } from '../../core/frame-bundle.ts';
import { encodeFrame, parseFrame } from '../../core/frames.ts';
import { BLOCK_HEADER_BYTES, decodeBlock, decodeHeader, encodeBlock, encodeHeader } from '../../core/ledger/block.ts';
import { MAIN_PARAMS } from '../../core/ledger/params.ts';
import { TX_BYTES, decodeTx, encodeTx } from '../../core/tx.ts';
import { checkResult, invariant, outcome, sameBytes, type FuzzOutcome, type FuzzTarget } from '../fuzz-target.ts';
import { untrustedBytes } from '../mutate.ts';
import { blockBytes, bundleBytes, frameBytes } from '../valid-core.ts';

/**
 * parseFrame on one message; a frame that parses re-encodes to the same bytes, except that a HELLO
 * re-encodes to a prefix: the fields of later versions after its protocol range are skipped (docs/PROTOCOL.md, "Versioning").
 */
function checkFrame(bytes: Uint8Array, what: string): FuzzOutcome {
  const parsed = parseFrame(bytes);
  if (!checkResult(parsed, what) || !parsed.ok) return 'rejected';
  const encoded = encodeFrame(parsed.value);
  const original = parsed.value.type === 'hello' && parsed.value.protocol !== undefined ? bytes.subarray(0, encoded.length) : bytes;
  sameBytes(encoded, original, `${what} ${parsed.value.type}`);
  return 'accepted';
}

export const framesTarget: FuzzTarget<Uint8Array> = {
  name: 'frames',
  decoders: ['core/frames.ts parseFrame', 'core/tx.ts decodeTx', 'core/ledger/block.ts decodeHeader'],
  arbitrary: untrustedBytes(frameBytes),
  check: (bytes) => checkFrame(bytes, 'parseFrame'),
};

export const bundlesTarget: FuzzTarget<Uint8Array> = {
  name: 'bundles',
  decoders: ['core/frame-bundle.ts splitBundle (then parseFrame on each inner frame)'],
  arbitrary: untrustedBytes(bundleBytes),
  check: (bytes) => {
    if (!isBundle(bytes)) return 'rejected';
    const split = splitBundle(bytes);
    if (!checkResult(split, 'splitBundle') || !split.ok) return 'rejected';
    const frames = split.value;
    for (const [i, frame] of frames.entries()) {
      invariant(frame.length >= 2 && !isBundle(frame), `splitBundle: inner frame ${i} is ${frame.length} bytes or a bundle`);
      checkFrame(frame, `bundled frame ${i}`);
    }
    const packed = packFrames(frames);
    invariant(packed.length === 1, `splitBundle: ${frames.length} frames repacked into ${packed.length} messages`);
    sameBytes(packed[0]!, frames.length === 1 ? frames[0]! : bytes, 'packFrames(splitBundle(x))');
    return 'accepted';
  },
};

export const blocksTarget: FuzzTarget<Uint8Array> = {
  name: 'blocks',
  decoders: ['core/ledger/block.ts decodeBlock, decodeHeader', 'core/tx.ts decodeTx'],
  arbitrary: untrustedBytes(blockBytes, 1024),
  check: (bytes) => {
    const block = decodeBlock(bytes, MAIN_PARAMS);
    const accepted = checkResult(block, 'decodeBlock') && block.ok;
    if (accepted) sameBytes(encodeBlock(block.value), bytes, 'decodeBlock');
    const headerBytes = bytes.subarray(0, BLOCK_HEADER_BYTES);
    const header = decodeHeader(headerBytes);
    if (checkResult(header, 'decodeHeader') && header.ok) sameBytes(encodeHeader(header.value), headerBytes, 'decodeHeader');
    // The first transaction's place in a block; a copy of the decoded tx, so encodeTx encodes it rather than returning the bytes it came from.
    const txBytes = bytes.subarray(BLOCK_HEADER_BYTES + 4, BLOCK_HEADER_BYTES + 4 + TX_BYTES);
    const tx = decodeTx(txBytes);
    if (checkResult(tx, 'decodeTx') && tx.ok) sameBytes(encodeTx({ ...tx.value }), txBytes, 'decodeTx');
    return outcome(accepted);
  },
};
