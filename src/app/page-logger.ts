/**
 * The tab's logger: every line goes to the console and to the page's event
 * log, so no error stays only in the console.
 */
import type { Logger } from '../core/types.ts';

export type LogSink = (level: 'info' | 'warn' | 'error', message: string) => void;

const short = (value: unknown) => (typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? value.slice(0, 8) : String(value));

export function formatFields(fields?: Record<string, unknown>): string {
  if (!fields) return '';
  return ' ' + Object.entries(fields).map(([key, value]) => `${key}=${short(value)}`).join(' ');
}

export function createPageLogger(sink: LogSink): Logger {
  return {
    info(message, fields) {
      console.info(`[tabmesh] ${message}`, fields ?? '');
      sink('info', message + formatFields(fields));
    },
    warn(message, fields) {
      console.warn(`[tabmesh] ${message}`, fields ?? '');
      sink('warn', message + formatFields(fields));
    },
  };
}
