import { describe, expect, it } from 'vitest';
import { ageOn, dueWords, formatDate, fullName, humanize, parseDate, preferredNote, todayISO } from './format';

const day = (y: number, m: number, d: number) => new Date(y, m - 1, d, 12);

describe('ageOn', () => {
  it.each([
    ['1990-12-10', day(2026, 11, 23), 35],
    ['1990-12-10', day(2026, 12, 9), 35],
    ['1990-12-10', day(2026, 12, 10), 36],
    ['1990-12-10', day(2026, 12, 11), 36],
    ['2000-01-01', day(2000, 1, 1), 0],
    ['2025-06-15', day(2026, 6, 14), 0],
    ['2025-06-15', day(2026, 6, 15), 1],
    // born on 29 February: a year older on 1 March when the year has no 29 February
    ['2004-02-29', day(2026, 2, 28), 21],
    ['2004-02-29', day(2026, 3, 1), 22],
    ['2004-02-29', day(2028, 2, 29), 24],
  ])('%s on %s is %i', (dob, today, age) => {
    expect(ageOn(dob, today)).toBe(age);
  });

  it('is null for dates that are not real or are in the future', () => {
    expect(ageOn('2027-01-01', day(2026, 11, 23))).toBeNull();
    expect(ageOn('1990-02-30', day(2026, 11, 23))).toBeNull();
    expect(ageOn('1990-13-01', day(2026, 11, 23))).toBeNull();
    expect(ageOn('10/12/1990', day(2026, 11, 23))).toBeNull();
    expect(ageOn('', day(2026, 11, 23))).toBeNull();
  });
});

describe('parseDate', () => {
  it('knows leap years', () => {
    expect(parseDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseDate('2023-02-29')).toBeNull();
    expect(parseDate('1900-02-29')).toBeNull();
    expect(parseDate('2000-02-29')).not.toBeNull();
  });
});

describe('names', () => {
  it('shows the preferred name only when it differs', () => {
    expect(fullName({ given_name: 'Ada', family_name: 'Lovelace' })).toBe('Ada Lovelace');
    expect(preferredNote({ given_name: 'Ada', preferred_name: 'Ada' })).toBeNull();
    expect(preferredNote({ given_name: 'Augusta', preferred_name: 'Ada' })).toBe('Ada');
    expect(preferredNote({ given_name: 'Ada', preferred_name: null })).toBeNull();
  });
});

describe('formatting', () => {
  it('keeps the calendar day of a date', () => {
    expect(formatDate('1990-12-10')).toMatch(/10/);
    expect(formatDate('not a date')).toBe('not a date');
    expect(humanize('primary_clinician')).toBe('Primary clinician');
  });
});

describe('due dates', () => {
  const due = (due_date: string, days_overdue = 0) => ({ due_date, overdue: days_overdue > 0, days_overdue });
  it('says overdue, today or the day', () => {
    expect(dueWords(due('2026-11-10', 3), '2026-11-20')).toBe('Overdue by 3 days');
    expect(dueWords(due('2026-11-19', 1), '2026-11-20')).toBe('Overdue by 1 day');
    expect(dueWords(due('2026-11-20'), '2026-11-20')).toBe('Due today');
    expect(dueWords(due('2026-11-25'), '2026-11-20')).toMatch(/^Due .*25/);
    expect(dueWords(due('2026-11-18'), '2026-11-20')).toMatch(/^Due since .*18/);
    // past the due date but within the server's grace days: not yet called overdue
    expect(dueWords({ due_date: '2026-11-18', overdue: false, days_overdue: 2 }, '2026-11-20')).toMatch(/^Due since .*18/);
  });
  it('knows today in the local calendar', () => {
    expect(todayISO(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });
});
