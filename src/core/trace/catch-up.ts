/**
 * Telling catch-up from gossip in a trace (docs/PROTOCOL.md, "Transaction
 * trace"). On HELLO each side announces its whole mempool (node.ts), so a tab
 * that links late receives every waiting transaction at once; its first
 * sighting then says when it joined, not how fast the network spread the
 * transaction. A report shows this when its link to `from` opened after
 * `from` itself had the transaction: the transaction could not have crossed
 * that link as gossip. When `from` did not answer, the earliest sighting in
 * the trace stands in for it. Times come from different tabs' clocks, which
 * agree only on one computer.
 */
import type { TraceReport } from './trace-frames.ts';

export function withCatchUp<R extends TraceReport>(reports: readonly R[]): (R & { catchUp: boolean })[] {
  const firstSeenBy = new Map(reports.map((report) => [report.reporter, report.firstSeenMs]));
  const earliest = Math.min(...reports.map((report) => report.firstSeenMs));
  return reports.map((report) => ({
    ...report,
    catchUp: report.from !== 'origin' && report.fromLinkedAtMs !== undefined && report.fromLinkedAtMs > (firstSeenBy.get(report.from) ?? earliest),
  }));
}
