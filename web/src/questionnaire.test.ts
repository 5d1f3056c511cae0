import { describe, expect, it } from 'vitest';
import { choiceItem, cssrsItems, phq9, valuelessItem } from './fixtures';
import {
  answerableItems,
  answerLabel,
  answersToSend,
  checkAnswers,
  enabledItems,
  groupItems,
  itemOfField,
  itemProblem,
  newIdempotencyKey,
  problemToAnswerErrors,
  visibleItems,
  wordingMissing,
} from './questionnaire';
import type { EnableWhen, InstrumentItem } from './types';

const ids = (items: InstrumentItem[]) => items.map((i) => i.linkId);

describe('enableWhen', () => {
  const cssrs = cssrsItems();

  it('hides the follow-up items until their condition holds', () => {
    expect(ids(visibleItems(cssrs, {}))).toEqual(['q1', 'q2', 'q6']);
    expect(ids(visibleItems(cssrs, { q1: 1, q2: 0 }))).toEqual(['q1', 'q2', 'q6']);
    expect(ids(visibleItems(cssrs, { q1: 1, q2: 1 }))).toEqual(['q1', 'q2', 'q3', 'q4', 'q5', 'q6']);
  });

  it('does not send the answers of items that became hidden', () => {
    const answers = { q1: 1, q2: 1, q3: 1, q4: 0, q5: 0, q6: 0 };
    expect(answersToSend(cssrs, answers)).toHaveLength(6);
    // item 2 changed to "No": the answers to 3–5 stay in memory but are not sent
    expect(answersToSend(cssrs, { ...answers, q2: 0 })).toEqual([
      { linkId: 'q1', value: 1 },
      { linkId: 'q2', value: 0 },
      { linkId: 'q6', value: 0 },
    ]);
  });

  const when = (operator: EnableWhen['operator'], value: number, behavior: 'all' | 'any' = 'all', more: EnableWhen[] = []): InstrumentItem[] => [
    choiceItem('a', 'A'),
    choiceItem('b', 'B'),
    choiceItem('x', 'X', { enable_when: [{ question: 'a', operator, value }, ...more], enable_behavior: behavior }),
  ];
  const shown = (items: InstrumentItem[], answers: Record<string, number>) => enabledItems(items, answers).has('x');

  it.each([
    ['=', 2, 2, true],
    ['=', 2, 1, false],
    ['!=', 2, 1, true],
    ['!=', 2, 2, false],
    ['>', 2, 3, true],
    ['>', 2, 2, false],
    ['>=', 2, 2, true],
    ['>=', 2, 1, false],
    ['<', 2, 1, true],
    ['<', 2, 2, false],
    ['<=', 2, 2, true],
    ['<=', 2, 3, false],
  ] as const)('a %s %d with an answer of %d: %s', (op, value, answer, expected) => {
    expect(shown(when(op, value), { a: answer })).toBe(expected);
  });

  it('compares nothing with an unanswered question, except exists', () => {
    for (const op of ['=', '!=', '>', '>=', '<', '<='] as const) expect(shown(when(op, 0), {})).toBe(false);
    expect(shown(when('exists', 1), {})).toBe(false);
    expect(shown(when('exists', 1), { a: 0 })).toBe(true);
    expect(shown(when('exists', 0), {})).toBe(true);
    expect(shown(when('exists', 0), { a: 3 })).toBe(false);
  });

  it('needs every condition by default and one of them with "any" (CRAFFT part B)', () => {
    const also = [{ question: 'b', operator: '>' as const, value: 0 }];
    expect(shown(when('>', 0, 'all', also), { a: 1, b: 0 })).toBe(false);
    expect(shown(when('>', 0, 'all', also), { a: 1, b: 2 })).toBe(true);
    expect(shown(when('>', 0, 'any', also), { a: 0, b: 2 })).toBe(true);
    expect(shown(when('>', 0, 'any', also), { a: 0, b: 0 })).toBe(false);
  });

  it('treats the answer of a hidden item as not given, so chains close', () => {
    const chain = [
      choiceItem('a', 'A'),
      choiceItem('b', 'B', { enable_when: [{ question: 'a', operator: '=', value: 1 }] }),
      choiceItem('c', 'C', { enable_when: [{ question: 'b', operator: 'exists', value: 1 }] }),
    ];
    expect(ids(visibleItems(chain, { a: 1, b: 0 }))).toEqual(['a', 'b', 'c']);
    expect(ids(visibleItems(chain, { a: 0, b: 0 }))).toEqual(['a']);
  });

  it('survives a definition that refers to itself or to an unknown item', () => {
    const odd = [
      choiceItem('a', 'A', { enable_when: [{ question: 'b', operator: 'exists', value: 0 }] }),
      choiceItem('b', 'B', { enable_when: [{ question: 'a', operator: 'exists', value: 0 }] }),
      choiceItem('c', 'C', { enable_when: [{ question: 'nope', operator: 'exists', value: 0 }] }),
    ];
    expect(() => visibleItems(odd, {})).not.toThrow();
    expect(enabledItems(odd, {}).has('c')).toBe(true);
  });
});

describe('checking answers', () => {
  const count = choiceItem('days', 'Days', { type: 'integer', options: [], min: 0, max: 30 });

  it('asks for required items and checks integer bounds', () => {
    expect(itemProblem(choiceItem('q', 'Q'), undefined)).toBe('Choose an answer.');
    expect(itemProblem(choiceItem('q', 'Q', { required: false }), undefined)).toBe('');
    expect(itemProblem(count, undefined)).toBe('Enter a number.');
    expect(itemProblem(count, 31)).toBe('Enter a number from 0 to 30.');
    expect(itemProblem(count, Number.NaN)).toBe('Enter a whole number.');
    expect(itemProblem(count, 30)).toBe('');
  });

  it('checks only the items shown', () => {
    const cssrs = cssrsItems();
    expect(Object.keys(checkAnswers(cssrs, { q1: 0 }))).toEqual(['q2', 'q6']);
    expect(Object.keys(checkAnswers(cssrs, { q1: 0, q2: 1, q6: 0 }))).toEqual(['q3', 'q4', 'q5']);
    expect(checkAnswers(cssrs, { q1: 0, q2: 0, q6: 0 })).toEqual({});
  });
});

describe('server errors', () => {
  const items = [choiceItem('q1', 'One'), choiceItem('q9', 'Nine')];

  it('go beside their item, their field, or into the general line', () => {
    const sorted = problemToAnswerErrors(
      {
        status: 422,
        detail: 'invalid answers',
        errors: [
          { field: 'answers.q9', message: 'is required' },
          { field: 'rater', message: 'is not a respondent of this instrument' },
          { field: 'answers.zz', message: 'is not an item of phq-9' },
        ],
      },
      items,
      ['rater'],
    );
    expect(sorted.items).toEqual({ q9: 'Is required' });
    expect(sorted.fields).toEqual({ rater: 'Is not a respondent of this instrument' });
    expect(sorted.summary).toContain('Answers zz: is not an item of phq-9');
    expect(itemOfField('answers.q1', items)).toBe('q1');
    expect(itemOfField('answers.q7', items)).toBeNull();
    expect(itemOfField('instrument', items)).toBeNull();
  });

  it('a lost connection says the answers are still here', () => {
    expect(problemToAnswerErrors({ status: 0 }, items).summary).toMatch(/not sent yet.*still here/);
    expect(problemToAnswerErrors({ status: 503 }, items).summary).toMatch(/still here/);
  });
});

describe('items without a value to give', () => {
  const items = [choiceItem('q1', 'One'), valuelessItem('difficulty'), choiceItem('q2', 'Two'), { ...choiceItem('days', 'Days'), type: 'integer' as const, options: [], min: 0, max: 30 }];

  it('are neither shown nor asked for; integer items stay', () => {
    expect(ids(answerableItems(items))).toEqual(['q1', 'q2', 'days']);
    expect(ids(visibleItems(items, {}))).toEqual(['q1', 'q2', 'days']);
    // not required, even when the form says so
    const required = items.map((i) => ({ ...i, required: true }));
    expect(Object.keys(checkAnswers(required, { q1: 0, q2: 1, days: 3 }))).toEqual([]);
  });

  it('are not sent, even with a value somehow set', () => {
    expect(answersToSend(items, { q1: 1, difficulty: 2, q2: 0, days: 4 })).toEqual([
      { linkId: 'q1', value: 1 },
      { linkId: 'q2', value: 0 },
      { linkId: 'days', value: 4 },
    ]);
  });

  it('take the server’s errors about them into the general line', () => {
    const sorted = problemToAnswerErrors({ status: 422, errors: [{ field: 'answers.difficulty', message: 'Is not a question of this form' }] }, items);
    expect(sorted.items).toEqual({});
    expect(sorted.summary).toContain('Is not a question of this form');
  });
});

describe('wording the service adds', () => {
  const numbered = [choiceItem('q1', 'Item 1'), choiceItem('q15', 'Item 15 (No problem, Minor problem, Moderate problem, Serious problem)')];

  it('is missing while a licensed form’s items still read “Item 3”', () => {
    expect(wordingMissing({ item_text: 'service', items: numbered })).toBe(true);
    expect(wordingMissing({ item_text: 'service', items: [choiceItem('q1', 'Have you used drugs other than those required for medical reasons?')] })).toBe(false);
    expect(wordingMissing({ item_text: 'shipped', items: numbered })).toBe(false);
    expect(wordingMissing(phq9())).toBe(false);
  });
});

describe('helpers', () => {
  it('groups consecutive items by their group title', () => {
    const items = [choiceItem('a', 'A', { group: 'Part A' }), choiceItem('b', 'B', { group: 'Part A' }), choiceItem('c', 'C', { group: 'Part B' }), choiceItem('d', 'D')];
    expect(groupItems(items).map((g) => [g.title, ids(g.items)])).toEqual([
      ['Part A', ['a', 'b']],
      ['Part B', ['c']],
      ['', ['d']],
    ]);
  });

  it('says an answer in the words of its option', () => {
    expect(answerLabel(choiceItem('a', 'A'), 2)).toBe('More than half the days');
    expect(answerLabel(undefined, 7)).toBe('7');
  });

  it('makes version-4 UUIDs, also without crypto.randomUUID', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(newIdempotencyKey()).toMatch(uuid);
    const original = crypto.randomUUID;
    try {
      Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true });
      const a = newIdempotencyKey();
      expect(a).toMatch(uuid);
      expect(newIdempotencyKey()).not.toBe(a);
    } finally {
      Object.defineProperty(crypto, 'randomUUID', { value: original, configurable: true });
    }
  });
});
