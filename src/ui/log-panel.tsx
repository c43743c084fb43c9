/** The node's event log, newest first. */
import { formatTime } from './format.ts';
import { useTabmesh } from './use-tabmesh.ts';

export function LogPanel() {
  const entries = useTabmesh((s) => s.logEntries);

  return (
    <section className="panel panel-log">
      <h2>Event log</h2>
      {entries.length === 0 && <p className="empty">Nothing logged yet.</p>}
      <ol className="log" aria-label="Event log">
        {entries.map((entry) => (
          <li key={entry.seq} className={`log-${entry.level}`}>
            <time dateTime={new Date(entry.atMs).toISOString()}>{formatTime(entry.atMs)}</time>
            <span className="log-level">{entry.level}</span>
            <span className="log-message">{entry.message}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
