/** The transaction trace: a rate-limited diagnostic protocol module (issue 6 §2; docs/PROTOCOL.md, "Transaction trace"). */
export { createTraceModule, MAX_REPORTS_PER_TRACE, ORIGIN_TRACES_IN, ORIGIN_TRACES_OWN, TRACE_MAX_AGE_MS, TRACE_REQUESTS_IN, TRACE_REQUESTS_OUT, TRACE_STATE_MS, type TraceComponents, type TraceInit, type TraceModule, type TraceStart } from './trace-module.ts';
export { MAX_TRACE_HOPS, TRACE_REPORT, TRACE_REQUEST, type TraceReport, type TraceRequest } from './trace-frames.ts';
export type { ReceivedTraceReport, TraceStats } from './trace-state.ts';
export { withCatchUp } from './catch-up.ts';
