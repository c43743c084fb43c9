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
