import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CronError, nextAfter, parseSchedule } from './cron.js';

const at = (s: string): number => Date.parse(s);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
const next = (schedule: string, after: string): string | undefined => iso(nextAfter(parseSchedule(schedule), at(after)));

describe('cron schedules (robfig/cron standard parser)', () => {
  test('every minute, steps, ranges, lists', () => {
    assert.equal(next('* * * * *', '2026-01-01T10:00:30Z'), '2026-01-01T10:01:00.000Z');
    assert.equal(next('* * * * *', '2026-01-01T10:01:00Z'), '2026-01-01T10:02:00.000Z', 'strictly after');
    assert.equal(next('*/15 * * * *', '2026-01-01T10:16:00Z'), '2026-01-01T10:30:00.000Z');
    assert.equal(next('5/20 * * * *', '2026-01-01T10:26:00Z'), '2026-01-01T10:45:00.000Z');
    assert.equal(next('0 9-17/4 * * *', '2026-01-01T10:00:00Z'), '2026-01-01T13:00:00.000Z');
    assert.equal(next('0,30 * * * *', '2026-01-01T10:00:00Z'), '2026-01-01T10:30:00.000Z');
  });

  test('days: names, month rollover, 7 = Sunday, and dom/dow "either" when both are restricted', () => {
    // 2026-01-01 is a Thursday.
    assert.equal(next('0 0 * * MON', '2026-01-01T00:00:00Z'), '2026-01-05T00:00:00.000Z');
    assert.equal(next('0 0 * * 7', '2026-01-01T00:00:00Z'), '2026-01-04T00:00:00.000Z');
    assert.equal(next('0 0 31 * *', '2026-02-01T00:00:00Z'), '2026-03-31T00:00:00.000Z');
    assert.equal(next('0 0 1 JAN *', '2026-01-01T00:00:00Z'), '2027-01-01T00:00:00.000Z');
    assert.equal(next('0 0 15 * FRI', '2026-01-01T00:00:00Z'), '2026-01-02T00:00:00.000Z', 'Friday the 2nd matches by weekday');
    assert.equal(next('0 0 15 * ?', '2026-01-01T00:00:00Z'), '2026-01-15T00:00:00.000Z');
    assert.equal(next('0 0 30 2 *', '2026-01-01T00:00:00Z'), undefined, 'never');
  });

  test('shorthands', () => {
    assert.equal(next('@hourly', '2026-01-01T10:00:00Z'), '2026-01-01T11:00:00.000Z');
    assert.equal(next('@daily', '2026-01-01T10:00:00Z'), '2026-01-02T00:00:00.000Z');
    assert.equal(next('@weekly', '2026-01-01T10:00:00Z'), '2026-01-04T00:00:00.000Z');
    assert.equal(next('@monthly', '2026-01-01T10:00:00Z'), '2026-02-01T00:00:00.000Z');
    assert.equal(next('@yearly', '2026-01-01T10:00:00Z'), '2027-01-01T00:00:00.000Z');
  });

  test('bad schedules say why', () => {
    for (const [s, msg] of [
      ['* * * *', /exactly 5 fields/],
      ['60 * * * *', /minute 60 is out of range/],
      ['*/0 * * * *', /step/],
      ['5-1 * * * *', /beyond end of range/],
      ['* * * FOO *', /failed to parse month/],
      ['@every 5m', /unrecognized descriptor/],
      ['TZ=UTC * * * * *', /spec.timeZone/],
    ] as const) {
      assert.throws(() => parseSchedule(s), (e: unknown) => e instanceof CronError && msg.test(e.message), s);
    }
  });
});
