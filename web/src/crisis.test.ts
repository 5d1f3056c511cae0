import { describe, expect, it } from 'vitest';
import { checkResolve, deadlineWords, levelTone, levelWords, move, sectionsToSave, smsHref, sortAlerts, spanWords, telHref, timelineWords, timeZones, zonedToUtc } from './crisis';
import { alert } from './fixtures';
import type { AlertLevel, AlertStatus } from './types';

const at = (min: number) => new Date(Date.UTC(2026, 10, 23, 10, 0) + min * 60_000).toISOString();

describe('the alert board’s order', () => {
  const a = (id: string, status: AlertStatus, level: AlertLevel, deadlineMin: number, openedMin = 0) =>
    alert(id, { status, level, deadline_at: at(deadlineMin), opened_at: at(openedMin) });

  it('puts open before acknowledged before resolved, then the most urgent level, then the nearest deadline', () => {
    const sorted = sortAlerts([
      a('ack-imminent', 'acknowledged', 'imminent', 1),
      a('low', 'open', 'low', 600),
      a('high-later', 'open', 'high', 15),
      a('resolved', 'resolved', 'imminent', 0),
      a('moderate', 'open', 'moderate', 5),
      a('high-overdue', 'open', 'high', -3),
      a('imminent', 'open', 'imminent', 5),
    ]);
    expect(sorted.map((x) => x.id)).toEqual(['imminent', 'high-overdue', 'high-later', 'moderate', 'low', 'ack-imminent', 'resolved']);
  });

  it('breaks a tie by the oldest, and does not change its input', () => {
    const input = [a('newer', 'open', 'high', 10, 5), a('older', 'open', 'high', 10, 1)];
    expect(sortAlerts(input).map((x) => x.id)).toEqual(['older', 'newer']);
    expect(input[0].id).toBe('newer');
  });
});

describe('levels', () => {
  it.each([
    ['imminent', 'Imminent risk', 'red'],
    ['high', 'High risk', 'red'],
    ['moderate', 'Moderate risk', 'amber'],
    ['low', 'Low risk', 'blue'],
  ])('%s reads “%s” and is %s', (level, words, tone) => {
    expect(levelWords(level)).toBe(words);
    expect(levelTone(level)).toBe(tone);
  });

  it('treats an unknown level as urgent, never as the least', () => {
    expect(levelTone('severe')).toBe('red');
  });
});

describe('deadlines in words', () => {
  const now = Date.parse(at(0));
  it.each([
    [0.75, '45 s left', false],
    [4 + 5 / 60, '4 min 05 s left', false],
    [53, '53 min left', false],
    [5 * 60 + 20, '5 h 20 min left', false],
    [3 * 24 * 60, '3 days left', false],
    [-2, 'Overdue by 2 min 00 s', true],
  ])('%s minutes → %s', (min, text, overdue) => {
    expect(deadlineWords(at(min), now)).toEqual({ text, overdue });
  });

  it('says nothing for a missing deadline', () => {
    expect(deadlineWords('', now).text).toBe('');
    expect(spanWords(-5)).toBe('0 s');
  });
});

describe('resolving', () => {
  it.each([
    ['', '', { outcome: 'Choose what happened.' }],
    ['contacted_client', '', {}],
    ['no_risk_found', '  ', {}],
    ['other', '', { note: 'Say what happened: a note is needed with “Other”.' }],
    ['other', '   ', { note: 'Say what happened: a note is needed with “Other”.' }],
    ['other', 'Spoke to the GP', {}],
    ['no_contact_possible', '', { note: 'Say what was tried: a note is needed when no contact was possible.' }],
    ['no_contact_possible', 'Phoned twice, left a message', {}],
  ])('outcome %j with note %j', (outcome, note, fields) => {
    const errors = checkResolve({ outcome, note });
    expect(errors.fields).toEqual(fields);
    expect(errors.summary).toBe(Object.keys(fields).length ? 'Please correct the marked field.' : '');
  });
});

describe('the timeline in words', () => {
  it('names who and how', () => {
    const u = { id: 'us_1', name: 'Chidi Okafor' };
    expect(timelineWords({ at: at(0), kind: 'notified', user: u, channel: 'live' })).toBe('Notified Chidi Okafor in Tend');
    expect(timelineWords({ at: at(0), kind: 'delivery_failed', user: u, channel: 'email' })).toBe('Delivery failed to Chidi Okafor by email');
    expect(timelineWords({ at: at(0), kind: 'acknowledged', user: u })).toBe('Acknowledged by Chidi Okafor');
    expect(timelineWords({ at: at(0), kind: 'escalated', step: 2 })).toBe('Escalated (step 3)');
    expect(timelineWords({ at: at(0), kind: 'something_new' })).toBe('Something new');
  });
});

describe('safety plan helpers', () => {
  it('saves trimmed lines without empty ones, and contacts with a name', () => {
    const saved = sectionsToSave({
      warning_signs: ['  Not sleeping ', '', '   '],
      coping_strategies: [],
      distractions: [],
      people_to_ask: [],
      professionals: [
        { name: ' Dr Okafor ', phone: ' 555 0100 ', note: '' },
        { name: '', phone: '555', note: 'no name' },
      ],
      safe_environment: [],
      reasons_for_living: ['My children'],
    });
    expect(saved.warning_signs).toEqual(['Not sleeping']);
    expect(saved.professionals).toEqual([{ name: 'Dr Okafor', phone: '555 0100' }]);
    expect(saved.reasons_for_living).toEqual(['My children']);
  });

  it('moves lines up and down, and not past the ends', () => {
    expect(move(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'c', 'b']);
    expect(move(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(move(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(move(['a', 'b', 'c'], 2, 3)).toEqual(['a', 'b', 'c']);
  });

  it('makes tel: and sms: links', () => {
    expect(telHref('+1 (555) 010-0')).toBe('tel:+15550100');
    expect(telHref('988')).toBe('tel:988');
    expect(smsHref('741741')).toBe('sms:741741');
    expect(smsHref('Text HOME to 741741')).toBe('sms:741741?body=HOME');
    expect(smsHref('SHOUT to 85258')).toBe('sms:85258?body=SHOUT');
  });
});

describe('roster times', () => {
  it('turns a wall-clock time in a time zone into an instant', () => {
    expect(zonedToUtc('2026-01-15T17:00', 'America/New_York')).toBe('2026-01-15T22:00:00Z');
    expect(zonedToUtc('2026-07-15T17:00', 'America/New_York')).toBe('2026-07-15T21:00:00Z');
    expect(zonedToUtc('2026-07-15T09:00', 'Europe/London')).toBe('2026-07-15T08:00:00Z');
    expect(zonedToUtc('2026-07-15T09:00', 'UTC')).toBe('2026-07-15T09:00:00Z');
    expect(zonedToUtc('2026-07-15', 'UTC')).toBeNull();
  });

  it('offers the browser’s own time zone first', () => {
    const zones = timeZones();
    expect(zones[0]).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(new Set(zones).size).toBe(zones.length);
  });
});
