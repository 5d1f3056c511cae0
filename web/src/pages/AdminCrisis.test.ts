import { describe, expect, it } from 'vitest';
import type { RosterEntry } from '../types';
import { peopleNow, rosterWhen, testWords } from './AdminCrisis';

const weekly = (start: string, end: string, extra: Partial<RosterEntry> = {}): RosterEntry => ({
  id: 'oc_1',
  kind: 'on_call',
  user_id: 'us_1',
  cover: false,
  time_zone: 'Europe/London',
  weekly: { days: ['mon', 'tue'], start, end },
  ...extra,
});

describe('the roster in words', () => {
  it('says when a weekly shift runs into the next day', () => {
    expect(rosterWhen(weekly('17:00', '09:00'))).toBe('Mon, Tue 17:00–09:00 (next day), Europe/London');
    expect(rosterWhen(weekly('09:00', '17:00'))).toBe('Mon, Tue 09:00–17:00, Europe/London');
    expect(rosterWhen(weekly('00:00', '00:00'))).toBe('Mon, Tue 00:00–00:00 (next day), Europe/London');
  });

  it('adds the dates it runs between', () => {
    expect(rosterWhen(weekly('17:00', '09:00', { from_date: '2026-12-01' }))).toMatch(/, from .*2026$/);
  });

  it('reads who is on call now from names or ids', () => {
    expect(peopleNow({ on_call: [{ id: 'us_1', name: 'Chidi Okafor' }], supervisors: [] }, 'on_call')).toEqual(['Chidi Okafor']);
    expect(peopleNow({ supervisor: { user_id: 'us_2', user_name: 'Dana Reyes' } }, 'supervisors', 'supervisor')).toEqual(['Dana Reyes']);
    expect(peopleNow(null, 'on_call')).toEqual([]);
  });

  it('says what a test delivery got back', () => {
    expect(testWords({ ok: true, status: 200 })).toBe('Delivered: the target answered 200.');
    expect(testWords({ delivered: true, error: null })).toBe('Delivered.');
    expect(testWords({ delivered: false, error: 'HTTP 500 from the target' })).toBe('Not delivered: HTTP 500 from the target.');
    expect(testWords({ status: 502, error: 'bad gateway' })).toBe('Not delivered: the target answered 502: bad gateway.');
    expect(testWords({ ok: false, error: 'connection refused' })).toBe('Not delivered: connection refused.');
  });
});
