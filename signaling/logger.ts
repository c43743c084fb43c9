/**
 * Loggers for the Node side. The relay takes a `Logger` (src/core/types.ts)
 * as a component so tests can capture rejections instead of printing them.
 */
import type { Logger } from '../src/core/types.ts';

/** Writes `ISO-time LEVEL message {fields}` lines to the console (messages name their component, e.g. "relay: ..."). */
export function createConsoleLogger(): Logger {
  const line = (level: string, message: string, fields?: Record<string, unknown>): string =>
    `${new Date().toISOString()} ${level} ${message}${fields === undefined ? '' : ` ${JSON.stringify(fields)}`}`;
  return {
    info: (message, fields) => console.log(line('INFO', message, fields)),
    warn: (message, fields) => console.warn(line('WARN', message, fields)),
  };
}

export interface RateLimitedLoggerInit {
  /** Lines of one message (its level and text) written per window; the rest are counted, not written. */
  linesPerWindow: number;
  windowMs: number;
  /** Monotonic milliseconds (performance.now). */
  nowMs: () => number;
}

/** Distinct messages tracked at once; relay messages are fixed texts, so a map this size is never reached in practice. */
const MAX_TRACKED_MESSAGES = 1_000;

/**
 * Wraps `inner` so that a flood cannot flood the log (issue 23: the relay wrote
 * 9.7-13.5 MB in 52 s of flood, one line per rejected frame and socket).
 * Each message (level and text; fields do not count) is written at most
 * `linesPerWindow` times per window; the first line of the next window that
 * is written carries `suppressed`, how many were dropped in the one before.
 * Drops at the very end of a flood are reported only when that message
 * comes again: no timer runs to flush them.
 */
export function createRateLimitedLogger(inner: Logger, init: RateLimitedLoggerInit): Logger {
  const windows = new Map<string, { startMs: number; written: number; suppressed: number }>();
  const limited = (level: 'info' | 'warn') => (message: string, fields?: Record<string, unknown>): void => {
    const key = `${level} ${message}`;
    const now = init.nowMs();
    let window = windows.get(key);
    let carried = 0;
    if (window === undefined || now - window.startMs >= init.windowMs) {
      carried = window?.suppressed ?? 0;
      if (window === undefined && windows.size >= MAX_TRACKED_MESSAGES) windows.clear();
      windows.set(key, (window = { startMs: now, written: 0, suppressed: 0 }));
    }
    if (window.written >= init.linesPerWindow) return void window.suppressed++;
    window.written++;
    inner[level](message, carried > 0 ? { ...fields, suppressed: carried } : fields);
  };
  return { info: limited('info'), warn: limited('warn') };
}

/** A logger that drops everything (for callers that want quiet). */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
};

/**
 * Structured logs for long-running processes (the full node): one JSON
 * object a line, `{"time", "level", "msg", ...fields}`, which journald, jq
 * and log shippers read without a parser of their own. Fields that would
 * clash with the three keys are nested under `fields`.
 */
export function createJsonLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const line = (level: string, msg: string, fields?: Record<string, unknown>): string => {
    const clashes = fields !== undefined && ('time' in fields || 'level' in fields || 'msg' in fields);
    return JSON.stringify({ time: new Date().toISOString(), level, msg, ...(clashes ? { fields } : fields) });
  };
  return {
    info: (msg, fields) => write(line('info', msg, fields)),
    warn: (msg, fields) => write(line('warn', msg, fields)),
  };
}
