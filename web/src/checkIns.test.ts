import { describe, expect, it } from 'vitest';
import { checkIn } from './fixtures';
import {
  addDays,
  checkInBody,
  checkInWindow,
  dayChoices,
  dayTime,
  emptyForm,
  factorLabel,
  formFrom,
  isStrongUrge,
  moodScale,
  ratingPoints,
  sharedAxis,
  sleepHourOptions,
  sleepWords,
  streakWords,
  urgeScale,
  type CheckIn,
} from './checkIns';

const stored = (date: string, over: Partial<CheckIn> = {}): CheckIn => checkIn(date, over);

describe('the scales', () => {
  it('has a word for every mood from 0 to 10 and every urge from 0 to 5, in order', () => {
    expect(moodScale.map((s) => s.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(urgeScale.map((s) => s.label)).toEqual(['None', 'A little', 'Some', 'Strong', 'Very strong', 'Extreme']);
  });

  it('marks urges from Strong (3) up', () => {
    expect([null, undefined, 0, 2, 3, 4, 5].map(isStrongUrge)).toEqual([false, false, false, false, true, true, true]);
  });

  it('offers sleep from 0 to 24 hours in halves, said in words', () => {
    expect(sleepHourOptions).toHaveLength(49);
    expect(sleepHourOptions[0]).toBe(0);
    expect(sleepHourOptions[48]).toBe(24);
    expect(sleepWords(7.5)).toBe('7½ hours');
    expect(sleepWords(1)).toBe('1 hour');
    expect(sleepWords(0.5)).toBe('½ hours');
    expect(sleepWords(8)).toBe('8 hours');
  });
});

describe('dates', () => {
  it('moves calendar dates across months and years', () => {
    expect(addDays('2026-12-02', -7)).toBe('2026-11-25');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });

  it('offers today and the 7 days before, which the server accepts', () => {
    const days = dayChoices('2026-12-02');
    expect(days.map((d) => d.value)).toEqual(['2026-12-02', '2026-12-01', '2026-11-30', '2026-11-29', '2026-11-28', '2026-11-27', '2026-11-26', '2026-11-25']);
    expect(days[0].label).toMatch(/^Today/);
    expect(days[1].label).toMatch(/^Yesterday/);
  });
});

describe('what the form sends', () => {
  it('needs a mood and nothing else', () => {
    expect(checkInBody(emptyForm('2026-12-02'))).toBeNull();
    expect(checkInBody({ ...emptyForm('2026-12-02'), mood: 0 })).toEqual({ date: '2026-12-02', mood: 0 });
  });

  it('sends a rating of 0 (a rating) but leaves out what was skipped', () => {
    const body = checkInBody({ ...emptyForm('2026-12-02'), mood: 5, anxiety: 0, self_harm_urge: 0, sleep_hours: 6.5, medication: 'not_applicable', factors: ['exercise'] });
    expect(body).toEqual({ date: '2026-12-02', mood: 5, anxiety: 0, self_harm_urge: 0, sleep_hours: 6.5, medication: 'not_applicable', factors: ['exercise'] });
  });

  it('trims the note and says whether to share it only with a note', () => {
    expect(checkInBody({ ...emptyForm('2026-12-02'), mood: 5, note: '  a good walk ', share_note: true })).toEqual({ date: '2026-12-02', mood: 5, note: 'a good walk', share_note: true });
    expect(checkInBody({ ...emptyForm('2026-12-02'), mood: 5, note: '   ', share_note: true })).toEqual({ date: '2026-12-02', mood: 5 });
    expect(checkInBody({ ...emptyForm('2026-12-02'), mood: 5, note: 'mine' })).toMatchObject({ note: 'mine', share_note: false });
  });

  it('opens a stored day to change it, as it was', () => {
    const c = stored('2026-12-01', { mood: 3, energy: 2, factors: ['work'], note: 'tired', share_note: true });
    const f = formFrom(c);
    expect(f).toMatchObject({ date: '2026-12-01', mood: 3, energy: 2, anxiety: null, factors: ['work'], note: 'tired', share_note: true });
    expect(checkInBody(f)).toEqual({ date: '2026-12-01', mood: 3, energy: 2, factors: ['work'], note: 'tired', share_note: true });
  });
});

describe('streaks without guilt', () => {
  it('counts the days done, never the days missed', () => {
    expect(streakWords({ current: 1, best: 9, last_7: 5, last_30: 12 })).toEqual(['You checked in on 5 of the last 7 days.', '12 of the last 30 days.']);
    expect(streakWords({ current: 3, best: 3, last_7: 3, last_30: 3 })).toEqual(['You checked in on 3 of the last 7 days.', '3 days in a row up to now.']);
  });

  it('invites rather than tallies zero, and never speaks of breaking', () => {
    const words = streakWords({ current: 0, best: 20, last_7: 0, last_30: 4 });
    expect(words[0]).toBe('Whenever you are ready, a check-in takes under a minute.');
    expect(words.join(' ')).not.toMatch(/broke|missed|lost|0 of/i);
  });
});

describe('on the time axis', () => {
  it('places a day at its midday UTC', () => {
    expect(new Date(dayTime('2026-12-02')).toISOString()).toBe('2026-12-02T12:00:00.000Z');
  });

  it('reads back to the first measure, at least 90 days and at most a year', () => {
    expect(checkInWindow([], '2026-12-02')).toEqual({ from: '2026-09-03', to: '2026-12-02' });
    expect(checkInWindow([Date.parse('2026-11-01T10:00:00Z')], '2026-12-02').from).toBe('2026-09-03');
    expect(checkInWindow([Date.parse('2026-06-15T10:00:00Z'), Date.parse('2026-11-01T10:00:00Z')], '2026-12-02').from).toBe('2026-06-15');
    expect(checkInWindow([Date.parse('2024-01-01T10:00:00Z')], '2026-12-02').from).toBe('2025-12-02');
  });

  it('shares one axis from the first to the last result or check-in, only when there are check-ins', () => {
    const results = [Date.parse('2026-10-01T09:00:00Z'), Date.parse('2026-11-01T09:00:00Z')];
    expect(sharedAxis(results, [])).toBeUndefined();
    expect(sharedAxis(results, [{ date: '2026-11-20' }, { date: '2026-10-15' }])).toEqual([results[0], dayTime('2026-11-20')]);
    expect(sharedAxis([], [{ date: '2026-11-20' }])).toEqual([dayTime('2026-11-20'), dayTime('2026-11-20')]);
  });

  it('takes one rating of the days that have it, oldest first', () => {
    const items = [stored('2026-12-02', { mood: 2, self_harm_urge: 4 }), stored('2026-11-30', { mood: 7 }), stored('2026-12-01', { mood: 5, self_harm_urge: 0 })];
    expect(ratingPoints(items, 'mood')).toEqual([
      { date: '2026-11-30', value: 7 },
      { date: '2026-12-01', value: 5 },
      { date: '2026-12-02', value: 2 },
    ]);
    expect(ratingPoints(items, 'self_harm_urge')).toEqual([
      { date: '2026-12-01', value: 0 },
      { date: '2026-12-02', value: 4 },
    ]);
  });

  it('names a factor by its label, or its id in words', () => {
    const known = new Map([['exercise', 'Exercise']]);
    expect(factorLabel('exercise', known)).toBe('Exercise');
    expect(factorLabel('time_outdoors', known)).toBe('Time outdoors');
  });
});
