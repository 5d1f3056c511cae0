import { describe, expect, it } from 'vitest';
import { raisesCriticalFlag, type FlagRule } from './risk';
import type { Answer } from './types';

const answers = (pairs: Record<string, number>): Answer[] => Object.entries(pairs).map(([linkId, value]) => ({ linkId, value }));
const zeros = (n: number, extra: Record<string, number> = {}) => answers({ ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`q${i + 1}`, 0])), ...extra });

describe('the risk screen decision, from the shipped instruments’ critical flags', () => {
  it.each([
    // instrument, answers, critical?
    ['phq-9', zeros(9), false],
    ['phq-9', zeros(9, { q9: 1 }), true],
    ['phq-9', zeros(9, { q9: 2 }), true],
    ['phq-9', zeros(9, { q9: 3 }), true],
    ['phq-9', zeros(9, { q1: 3, q2: 3, q3: 3, q4: 3, q5: 3, q6: 3, q7: 3, q8: 3 }), false],
    ['phq-9', zeros(8), false],
    ['PHQ-9', zeros(9, { q9: 1 }), true],
    ['phq-a', zeros(9, { q9: 1 }), true],
    ['phq-a', zeros(9, { past_month_suicidal: 1 }), true],
    ['phq-a', zeros(9, { lifetime_attempt: 1 }), true],
    ['phq-a', zeros(9, { past_month_suicidal: 0, lifetime_attempt: 0, past_year: 1 }), false],
    ['epds', zeros(10), false],
    ['epds', zeros(10, { q10: 1 }), true],
    ['epds', zeros(10, { q9: 3 }), false],
    ['core-10', zeros(10), false],
    ['core-10', zeros(10, { q6: 1 }), true],
    ['core-10', zeros(10, { q5: 4 }), false],
    ['cssrs-screener', answers({ q1: 0, q2: 0, q6: 0 }), false],
    ['cssrs-screener', answers({ q1: 1, q2: 0, q6: 0 }), true],
    ['cssrs-screener', answers({ q1: 0, q2: 0, q6: 1, q6b: 0 }), true],
    ['cssrs-screener-slc', answers({ q1: 0, q2: 1, q3: 0, q4: 0, q5: 0, q6: 0 }), true],
    ['gad-7', zeros(7, { q1: 3, q7: 3 }), false],
    ['who-5', zeros(5), false],
  ])('%s %j → %s', (id, given, critical) => {
    expect(raisesCriticalFlag({ id }, given)).toBe(critical);
  });
});

describe('flags sent with the instrument', () => {
  const flags: FlagRule[] = [
    { code: 'risk', severity: 'critical', when: { any: [{ item: 'r1', op: '>=', value: 2 }, { all: [{ item: 'r2', op: '==', value: 1 }, { not: { answered: 'r3' } }] }] } },
    { code: 'mild', severity: 'warning', when: { item: 'r4', op: '>', value: 0 } },
  ];
  it.each([
    [{ r1: 1 }, false],
    [{ r1: 2 }, true],
    [{ r2: 1 }, true],
    [{ r2: 1, r3: 0 }, false],
    [{ r4: 3 }, false],
  ])('%j → %s', (given, critical) => {
    expect(raisesCriticalFlag({ id: 'custom', flags }, answers(given))).toBe(critical);
  });

  it('count answers as the instrument files do (PCL-5 style)', () => {
    const counted: FlagRule[] = [
      { severity: 'critical', when: { count: [{ item: 'a', op: '>=', value: 2 }, { item: 'b', op: '>=', value: 2 }, { item: 'c', op: '>=', value: 2 }], op: '>=', value: 2 } },
    ];
    expect(raisesCriticalFlag({ id: 'custom', flags: counted }, answers({ a: 2, b: 1, c: 0 }))).toBe(false);
    expect(raisesCriticalFlag({ id: 'custom', flags: counted }, answers({ a: 2, b: 3, c: 0 }))).toBe(true);
  });

  it('are used instead of the table when the instrument has them', () => {
    expect(raisesCriticalFlag({ id: 'phq-9', flags: [{ severity: 'critical', when: { item: 'q9', op: '>=', value: 2 } }] }, zeros(9, { q9: 1 }))).toBe(false);
  });
});
