// Pure rules for filling in an instrument: which items are shown (FHIR enableWhen), what is
// sent, what is still missing, and where the server's errors belong. No DOM here, so the
// rules can be tested on their own.
import { problemToFormErrors, type Problem } from './problem';
import type { Answer, EnableWhen, Instrument, InstrumentItem } from './types';

/** Answers by linkId; the value is the option's scored value or the integer typed. */
export type AnswerMap = Record<string, number>;

function holds(condition: EnableWhen, answered: number | undefined): boolean {
  if (condition.operator === 'exists') return (answered !== undefined) === (condition.value !== 0);
  // An unanswered question enables nothing, whatever the comparison (FHIR R4 enableWhen).
  if (answered === undefined) return false;
  switch (condition.operator) {
    case '=':
      return answered === condition.value;
    case '!=':
      return answered !== condition.value;
    case '>':
      return answered > condition.value;
    case '>=':
      return answered >= condition.value;
    case '<':
      return answered < condition.value;
    case '<=':
      return answered <= condition.value;
    default:
      return false;
  }
}

/**
 * The linkIds of the items to show for these answers, in form order. An item without
 * enable_when is always shown; otherwise its conditions must all hold ('all', the default) or
 * one of them ('any'). The answer of an item that is itself hidden counts as not given, so a
 * chain (C-SSRS 2 → 3 → 4) closes behind a "No".
 */
export function enabledItems(items: readonly InstrumentItem[], answers: AnswerMap): Set<string> {
  const byId = new Map(items.map((i) => [i.linkId, i]));
  const decided = new Map<string, boolean>();
  const visiting = new Set<string>();

  const isEnabled = (item: InstrumentItem): boolean => {
    const known = decided.get(item.linkId);
    if (known !== undefined) return known;
    if (!item.enable_when?.length) {
      decided.set(item.linkId, true);
      return true;
    }
    if (visiting.has(item.linkId)) return false; // a cycle in the definition enables nothing
    visiting.add(item.linkId);
    const answerOf = (linkId: string): number | undefined => {
      const source = byId.get(linkId);
      if (source && !isEnabled(source)) return undefined;
      return answers[linkId];
    };
    const results = item.enable_when.map((c) => holds(c, answerOf(c.question)));
    const on = item.enable_behavior === 'any' ? results.some(Boolean) : results.every(Boolean);
    visiting.delete(item.linkId);
    decided.set(item.linkId, on);
    return on;
  };

  const shown = new Set<string>();
  for (const item of items) if (isEnabled(item)) shown.add(item.linkId);
  return shown;
}

/**
 * Whether an item can be answered with a value: a number, or a choice that has options. An
 * imported form's unscored question ("How difficult have these problems made it …") comes with
 * no options: it is neither shown nor sent.
 */
export function canAnswer(item: InstrumentItem): boolean {
  return item.type === 'integer' || item.options.length > 0;
}

/** The items a form asks, in form order: those that can be answered with a value. */
export function answerableItems(items: readonly InstrumentItem[]): InstrumentItem[] {
  return items.filter(canAnswer);
}

/** The items to show, in form order: enabled by these answers, and answerable. */
export function visibleItems(items: readonly InstrumentItem[], answers: AnswerMap): InstrumentItem[] {
  const on = enabledItems(items, answers);
  return items.filter((i) => on.has(i.linkId) && canAnswer(i));
}

/**
 * True when the instrument's wording is the service's to add (its licence keeps it out of Tend)
 * and the service has not added it yet: the items still read "Item 3".
 */
export function wordingMissing(instrument: Pick<Instrument, 'item_text' | 'items'>): boolean {
  return instrument.item_text === 'service' && instrument.items.some((i) => /^Item \d+(\s|$)/.test(i.text.trim()));
}

/** What is sent: answers of shown items only, in form order. */
export function answersToSend(items: readonly InstrumentItem[], answers: AnswerMap): Answer[] {
  return visibleItems(items, answers)
    .filter((i) => answers[i.linkId] !== undefined)
    .map((i) => ({ linkId: i.linkId, value: answers[i.linkId] }));
}

/** Why an answer cannot be accepted as it is, or '' when it can (an unanswered optional item is fine). */
export function itemProblem(item: InstrumentItem, value: number | undefined): string {
  if (value === undefined) return item.required ? (item.type === 'integer' ? 'Enter a number.' : 'Choose an answer.') : '';
  if (item.type === 'integer') {
    const min = item.min ?? null;
    const max = item.max ?? null;
    if (!Number.isInteger(value)) return 'Enter a whole number.';
    if ((min !== null && value < min) || (max !== null && value > max)) {
      if (min !== null && max !== null) return `Enter a number from ${min} to ${max}.`;
      return min !== null ? `Enter ${min} or more.` : `Enter ${max} or less.`;
    }
  }
  return '';
}

/** Problems with the shown items, by linkId (empty when the form can be sent). */
export function checkAnswers(items: readonly InstrumentItem[], answers: AnswerMap): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const item of visibleItems(items, answers)) {
    const p = itemProblem(item, answers[item.linkId]);
    if (p) problems[item.linkId] = p;
  }
  return problems;
}

/** The server names item errors "answers.q9"; this gives the linkId when it is an item of the form, else null. */
export function itemOfField(field: string, items: readonly InstrumentItem[]): string | null {
  const named = /^answers\.(.+)$/.exec(field);
  return named && items.some((i) => i.linkId === named[1]) ? named[1] : null;
}

/** Items in form order grouped by their group title (consecutive items of one group together). */
export function groupItems(items: readonly InstrumentItem[]): { title: string; items: InstrumentItem[] }[] {
  const groups: { title: string; items: InstrumentItem[] }[] = [];
  for (const item of items) {
    const title = item.group ?? '';
    const last = groups[groups.length - 1];
    if (last && last.title === title) last.items.push(item);
    else groups.push({ title, items: [item] });
  }
  return groups;
}

/** The words for an answered value: the option's label, or the number typed. */
export function answerLabel(item: InstrumentItem | undefined, value: number): string {
  const option = item?.options.find((o) => o.value === value);
  return option ? option.label : String(value);
}

/**
 * A random UUID (version 4) for Idempotency-Key. crypto.randomUUID exists only on secure
 * pages; getRandomValues works everywhere, so a service on plain HTTP inside its network
 * still gets one.
 */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A refused submit, sorted: messages for items (by linkId), for other named fields, and the general line. */
export interface AnswerErrors {
  summary: string;
  items: Record<string, string>;
  fields: Record<string, string>;
}

/**
 * Sorts a problem's errors for a questionnaire form: "answers.q9" goes beside item q9, the
 * fields the form shows (`shown`, e.g. "rater") beside their control, the rest into the general
 * line. A network failure says the answers are still here, since nothing is lost.
 */
export function problemToAnswerErrors(problem: Problem, items: readonly InstrumentItem[], shown: readonly string[] = []): AnswerErrors {
  // an error about an item the form does not ask goes into the general line
  const asked = answerableItems(items);
  const placed = new Set<string>([...asked.map((i) => `answers.${i.linkId}`), ...shown]);
  const form = problemToFormErrors(problem, [...placed]);
  const result: AnswerErrors = { summary: form.summary, items: {}, fields: {} };
  for (const [field, message] of Object.entries(form.fields)) {
    const linkId = itemOfField(field, asked);
    if (linkId) result.items[linkId] = message;
    else result.fields[field] = message;
  }
  if (problem.status === 0) result.summary = 'Tend could not be reached, so your answers were not sent yet. They are still here: check your connection and try again.';
  else if (problem.status >= 500) result.summary = 'Something went wrong on the server, so your answers may not have been saved. They are still here: try again in a moment.';
  return result;
}
