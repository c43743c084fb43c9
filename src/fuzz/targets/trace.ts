/** Transaction-trace frames (core/trace/trace-frames.ts). */
import { decodeTraceFrame, encodeTraceReport, encodeTraceRequest } from '../../core/trace/trace-frames.ts';
import { checkResult, sameBytes, type FuzzTarget } from '../fuzz-target.ts';
import { untrustedBytes } from '../mutate.ts';
import { traceFrameBytes } from '../valid-core.ts';

export const traceFramesTarget: FuzzTarget<Uint8Array> = {
  name: 'trace-frames',
  decoders: ['core/trace/trace-frames.ts decodeTraceFrame (TRACE_REQUEST, TRACE_REPORT)'],
  // The first byte is the frame type (0x13, 0x14, or another after mutation); the rest the payload.
  arbitrary: untrustedBytes(traceFrameBytes, 256),
  check: (bytes) => {
    if (bytes.length === 0) return 'rejected';
    const payload = bytes.subarray(1);
    const decoded = decodeTraceFrame(bytes[0]!, payload);
    if (!checkResult(decoded, 'decodeTraceFrame') || !decoded.ok) return 'rejected';
    const message = decoded.value;
    const again = message.kind === 'request' ? encodeTraceRequest(message.request) : encodeTraceReport(message.report);
    sameBytes(again, payload, `TRACE_${message.kind.toUpperCase()}`);
    return 'accepted';
  },
};
