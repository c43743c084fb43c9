/**
 * The node's event log, newest first: links opening and closing, bans,
 * reorgs, relay status. It can be filtered by level and by text, and is
 * windowed once long.
 */
import { memo, useDeferredValue, useId, useMemo, useRef, useState } from 'react';
import { formatTime } from './format.ts';
import { countLevels, filterLog, LOG_LEVELS } from './log-filter.ts';
import type { TabmeshState } from './store.ts';
import { LIST_REDRAW_MS } from './txs-panel.tsx';
import { usePanelRef, useThrottledTabmesh } from './use-tabmesh.ts';
import { useVirtualRows } from './use-virtual-rows.ts';
import type { LogEntry, LogLevel } from './view-models.ts';

const selectLog = (s: TabmeshState) => s.logEntries;
/** Up to this many lines the log renders whole (as it always did); beyond, it is windowed. */
const WINDOW_ABOVE_LINES = 200;
const LINE_PX = 24;

const LogLine = memo(function LogLine({ entry }: { entry: LogEntry }) {
  return (
    <li className={`log-${entry.level}`}>
      <time dateTime={new Date(entry.atMs).toISOString()}>{formatTime(entry.atMs)}</time>
      <span className="log-level">{entry.level}</span>
      <span className="log-message">{entry.message}</span>
    </li>
  );
});

export function LogPanel() {
  const panelRef = usePanelRef();
  const entries = useThrottledTabmesh(selectLog, LIST_REDRAW_MS);
  const [levels, setLevels] = useState<ReadonlySet<LogLevel>>(() => new Set(LOG_LEVELS));
  const [text, setText] = useState('');
  const deferredText = useDeferredValue(text);
  const shown = useMemo(() => filterLog(entries, { levels, text: deferredText }), [entries, levels, deferredText]);
  const counts = useMemo(() => countLevels(entries), [entries]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const rows = useVirtualRows(shown.length, scrollRef, LINE_PX, WINDOW_ABOVE_LINES);
  const searchId = useId();
  const filtered = shown.length !== entries.length;

  const toggle = (level: LogLevel) =>
    setLevels((prev) => {
      const next = new Set(prev);
      if (next.has(level)) next.delete(level);
      else next.add(level);
      return next;
    });

  return (
    <section ref={panelRef} className="panel panel-log" aria-label="Events">
      <h2>
        Event log <span className="count">{filtered ? `${shown.length} of ${entries.length}` : entries.length}</span>
      </h2>
      <div className="log-filter" role="group" aria-label="Filter the event log">
        {LOG_LEVELS.map((level) => (
          <button key={level} type="button" className={`button button-small level-toggle level-${level}`} aria-pressed={levels.has(level)} onClick={() => toggle(level)}>
            {level} <span className="count">{counts[level]}</span>
          </button>
        ))}
        <label htmlFor={searchId} className="visually-hidden">
          Search the log
        </label>
        <input id={searchId} type="search" className="log-search" placeholder="Search the log" value={text} onChange={(event) => setText(event.target.value)} />
      </div>
      {entries.length === 0 && <p className="empty">Nothing logged yet.</p>}
      {entries.length > 0 && shown.length === 0 && <p className="empty">No line matches the filter.</p>}
      {/* Focusable, so a keyboard can scroll it: its lines hold nothing focusable (axe scrollable-region-focusable). */}
      <div className="log-scroll" ref={scrollRef} tabIndex={0} role="region" aria-label="Event log lines">
        <ol className="log" aria-label="Event log" style={{ paddingTop: rows.padStart, paddingBottom: rows.padEnd }}>
          {rows.indexes.map((index) => (
            <LogLine key={shown[index]!.seq} entry={shown[index]!} />
          ))}
        </ol>
      </div>
    </section>
  );
}
