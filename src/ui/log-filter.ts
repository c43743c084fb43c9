/** The event log's filter: which levels to show and a text to look for. Pure, so it is tested directly. */
import type { LogEntry, LogLevel } from './view-models.ts';

export const LOG_LEVELS: readonly LogLevel[] = ['info', 'warn', 'error'];

export interface LogFilter {
  levels: ReadonlySet<LogLevel>;
  /** Case-insensitive; every space-separated word must appear in the message. */
  text: string;
}

/** The entries that pass the filter, in their order; the same array when nothing is filtered out. */
export function filterLog(entries: readonly LogEntry[], filter: LogFilter): readonly LogEntry[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  const allLevels = LOG_LEVELS.every((level) => filter.levels.has(level));
  if (allLevels && words.length === 0) return entries;
  return entries.filter((entry) => {
    if (!filter.levels.has(entry.level)) return false;
    if (words.length === 0) return true;
    const message = entry.message.toLowerCase();
    return words.every((word) => message.includes(word));
  });
}

/** How many entries there are of each level, for the level toggles. */
export function countLevels(entries: readonly LogEntry[]): Record<LogLevel, number> {
  const counts: Record<LogLevel, number> = { info: 0, warn: 0, error: 0 };
  for (const entry of entries) counts[entry.level]++;
  return counts;
}
