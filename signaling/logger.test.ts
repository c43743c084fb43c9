/** The relay's log under a flood: bounded lines per message, and the drops counted. */
import { describe, expect, it } from 'vitest';
import type { Logger } from '../src/core/types.ts';
import { createRateLimitedLogger } from './logger.ts';

function capture() {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
  };
  return { lines, logger };
}

describe('createRateLimitedLogger', () => {
  it('writes each message at most linesPerWindow times a window, and reports the drops with the next window\'s first line', () => {
    const { lines, logger } = capture();
    let now = 0;
    const log = createRateLimitedLogger(logger, { linesPerWindow: 3, windowMs: 1000, nowMs: () => now });
    for (let i = 0; i < 10_000; i++) log.warn('relay: rejected frame', { code: 'bad-json', i });
    expect(lines).toHaveLength(3);
    expect(lines.map((line) => line.fields?.i)).toEqual([0, 1, 2]);
    now = 1000;
    log.warn('relay: rejected frame', { code: 'bad-json', i: 'next' });
    expect(lines).toHaveLength(4);
    expect(lines[3]).toEqual({ level: 'warn', message: 'relay: rejected frame', fields: { code: 'bad-json', i: 'next', suppressed: 9_997 } });
    log.warn('relay: rejected frame');
    expect(lines[4]!.fields).toBeUndefined();
  });

  it('limits each message and level on its own, so a flooded message does not silence the others', () => {
    const { lines, logger } = capture();
    const log = createRateLimitedLogger(logger, { linesPerWindow: 2, windowMs: 1000, nowMs: () => 0 });
    for (let i = 0; i < 100; i++) log.warn('relay: rejected frame');
    for (let i = 0; i < 100; i++) log.info('relay: socket closed');
    log.info('relay: rejected frame');
    log.warn('relay: joined');
    expect(lines.map((line) => `${line.level} ${line.message}`)).toEqual([
      'warn relay: rejected frame', 'warn relay: rejected frame', 'info relay: socket closed', 'info relay: socket closed',
      'info relay: rejected frame', 'warn relay: joined',
    ]);
  });

  it('writes distinct messages once each, past the number of messages it tracks', () => {
    const { lines, logger } = capture();
    const log = createRateLimitedLogger(logger, { linesPerWindow: 1, windowMs: 1000, nowMs: () => 0 });
    for (let i = 0; i < 5_000; i++) log.warn(`message ${i}`);
    // Distinct texts are each written once; the tracking map is cleared past its cap rather than growing.
    expect(lines).toHaveLength(5_000);
  });
});
