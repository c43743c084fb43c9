/**
 * Network statistics: small charts of transactions per second, traffic, peer
 * count and propagation delay (sampled by tracing a recent transaction) over
 * the last minutes, and below them every counter the node reports, one click away.
 */
import { lazy, Suspense, useState, type ComponentProps } from 'react';
import { formatBytes, formatRate } from './format.ts';
import type { ChartLine } from './net-chart.tsx';
import { usePanelRef, useTabmesh } from './use-tabmesh.ts';

/** The chart library loads in its own chunk, after the page: the wallet and the graph need not wait for it. */
const LazyNetChart = lazy(() => import('./net-chart.tsx').then((module) => ({ default: module.NetChart })));

function NetChart(props: ComponentProps<typeof LazyNetChart>) {
  return (
    <Suspense fallback={<div className="chart chart-loading" aria-label={props.title} />}>
      <LazyNetChart {...props} />
    </Suspense>
  );
}

/** "txRejectedBadSignature" → "tx rejected bad signature": readable without a lookup table. */
function humanize(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .toLowerCase();
}

/** Counters are integers; rates (hash rate) are shown to one decimal so they fit their box. */
const formatValue = (value: number): string => value.toLocaleString('en-US', { maximumFractionDigits: 1 });

const TX_LINES: ChartLine[] = [{ field: 'txPerSec', label: 'tx/s', colorVar: '--accent' }];
const BYTE_LINES: ChartLine[] = [
  { field: 'bytesInPerSec', label: 'in', colorVar: '--ok' },
  { field: 'bytesOutPerSec', label: 'out', colorVar: '--warn' },
];
const PEER_LINES: ChartLine[] = [{ field: 'peers', label: 'peers', colorVar: '--accent' }];
/** From app/trace-wiring.ts: the latest traced transaction's delay until the median and the last tab that answered had it. */
const LATENCY_LINES: ChartLine[] = [
  { field: 'latencyP50Ms', label: 'median', colorVar: '--accent' },
  { field: 'latencyMs', label: 'last', colorVar: '--warn' },
];
const LATENCY_NOTE = 'After its first sighting, how long a recent transaction took to reach half the tabs (median) and every tab that answered (last). One transaction is traced every 10 s or so while transactions flow.';

const formatTxRate = (value: number) => formatRate(value);
const formatByteRate = (value: number) => `${formatBytes(value)}/s`;
const formatCount = (value: number) => String(Math.round(value));
const formatMs = (value: number) => `${Math.round(value)} ms`;

/** The counters' list is rendered only while the disclosure is open: ~100 formatted values a second cost 3% of a busy tab's main thread. */
function Counters() {
  const stats = useTabmesh((s) => s.stats);
  const [open, setOpen] = useState(false);
  const entries = Object.entries(stats).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return null;
  return (
    <details className="counters" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>All counters ({entries.length})</summary>
      {open && (
        <dl className="stats" aria-label="Stats">
          {entries.map(([key, value]) => (
            <div key={key} className="stat" data-stat={key}>
              <dt>{humanize(key)}</dt>
              <dd>{formatValue(value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </details>
  );
}

export function StatsPanel() {
  const panelRef = usePanelRef();
  const series = useTabmesh((s) => s.series);

  return (
    <section ref={panelRef} className="panel panel-stats" aria-label="Network statistics">
      <h2>
        Network statistics <span className="count">last 5 min</span>
      </h2>
      {series.length < 2 && <p className="hint">Charts fill in as samples arrive, one a second.</p>}
      <div className="charts">
        <NetChart title="Transactions per second" lines={TX_LINES} series={series} format={formatTxRate} />
        <NetChart title="Traffic" lines={BYTE_LINES} series={series} format={formatByteRate} axisUnit="B" />
        <NetChart title="Peers" lines={PEER_LINES} series={series} format={formatCount} />
        <NetChart title="Propagation delay" lines={LATENCY_LINES} series={series} format={formatMs} axisUnit="ms" note={LATENCY_NOTE} />
      </div>
      <Counters />
    </section>
  );
}
