/** Counters the node reports through setStats (messages, rejections, ...). */
import { useTabmesh } from './use-tabmesh.ts';

/** "txRejectedBadSignature" → "tx rejected bad signature": readable without a lookup table. */
function humanize(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .toLowerCase();
}

/** Counters are integers; rates (hash rate) are shown to one decimal so they fit their box. */
const formatValue = (value: number): string => value.toLocaleString('en-US', { maximumFractionDigits: 1 });

export function StatsPanel() {
  const stats = useTabmesh((s) => s.stats);
  const entries = Object.entries(stats).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return null;

  return (
    <details className="panel panel-stats">
      <summary><h2>Stats</h2></summary>
      <dl className="stats" aria-label="Stats">
        {entries.map(([key, value]) => (
          <div key={key} className="stat" data-stat={key}>
            <dt>{humanize(key)}</dt>
            <dd>{formatValue(value)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
