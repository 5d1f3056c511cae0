// Decides, in the browser and before anything is sent, whether a client's answers raise a
// critical flag, so that the screen after "Send my answers" is their safety plan and crisis
// lines even when the submission fails or hangs.
//
// GET /api/v1/instruments/{id} sends each flag rule with its condition (`flags[].when`, the
// condition language of content/instruments/), and those are what this judges. The table below
// is kept for an instrument cached before the server sent its conditions: it repeats the
// critical conditions of the shipped instruments, erring on the side of showing help: a false
// "show the safety plan" costs a client a screen; a missed one could cost more.
import type { Answer, Instrument } from './types';

type Op = '>' | '>=' | '==' | '=' | '!=' | '<' | '<=';

/** One item compared with a value, as in the instruments' `when`. */
interface ItemCondition {
  item: string;
  op: Op;
  value: number;
}

/** The subset of the instrument files' `when` that critical flags use. */
export type FlagCondition =
  | ItemCondition
  | { any: FlagCondition[] }
  | { all: FlagCondition[] }
  | { not: FlagCondition }
  | { answered: string }
  | { count: FlagCondition[]; op: Op; value: number }
  | { score: string; op: Op; value: number }
  | { context: string; equals: string };

/** A flag rule as GET /api/v1/instruments/{id} sends it. */
export interface FlagRule {
  code?: string;
  severity: 'critical' | 'warning' | 'info';
  when: FlagCondition;
}

const item = (id: string, op: Op, value: number): ItemCondition => ({ item: id, op, value });

/**
 * Critical answers per shipped instrument, by id:
 *  - PHQ-9 and PHQ-A item 9 (thoughts of death or self-harm) at "several days" or more
 *    (Kroenke et al. 2001; the PHQ-A adds two yes/no suicide questions, both critical);
 *  - EPDS item 10 above 0: thoughts of self-harm need same-day assessment (EPDS scoring guide);
 *  - CORE-10 item 6 (risk item) above 0 (CORE-10 user manual);
 *  - C-SSRS screeners: any "yes" (value 1) to any question (Columbia protocol triage).
 */
export const criticalConditions: Readonly<Record<string, FlagCondition>> = {
  'phq-9': item('q9', '>=', 1),
  'phq-a': { any: [item('q9', '>=', 1), item('past_month_suicidal', '==', 1), item('lifetime_attempt', '==', 1)] },
  epds: item('q10', '>', 0),
  'core-10': item('q6', '>', 0),
};

/** Instruments where any "yes" is critical (every yes/no item, whatever its linkId). */
const anyYes = new Set(['cssrs-screener', 'cssrs-screener-slc']);

function holds(c: FlagCondition, answers: ReadonlyMap<string, number>): boolean {
  if ('any' in c) return c.any.some((x) => holds(x, answers));
  if ('all' in c) return c.all.every((x) => holds(x, answers));
  if ('not' in c) return !holds(c.not, answers);
  if ('answered' in c) return answers.has(c.answered);
  if ('count' in c) return compare(c.count.filter((x) => holds(x, answers)).length, c.op, c.value);
  // Scores need the instrument's scoring rules and context the client's record; neither is
  // here. No shipped critical flag uses them; the server's result decides when it arrives.
  if ('score' in c || 'context' in c) return false;
  const v = answers.get(c.item);
  if (v === undefined) return false;
  return compare(v, c.op, c.value);
}

function compare(v: number, op: Op, value: number): boolean {
  switch (op) {
    case '>':
      return v > value;
    case '>=':
      return v >= value;
    case '==':
    case '=':
      return v === value;
    case '!=':
      return v !== value;
    case '<':
      return v < value;
    case '<=':
      return v <= value;
    default:
      return false;
  }
}

/** True when these answers to this instrument raise a critical flag. */
export function raisesCriticalFlag(instrument: Pick<Instrument, 'id'> & { flags?: FlagRule[] }, answers: readonly Answer[]): boolean {
  const given = new Map(answers.map((a) => [a.linkId, a.value]));
  const served = (instrument.flags ?? []).filter((f) => f.severity === 'critical' && f.when);
  if (served.length) return served.some((f) => holds(f.when, given));
  const id = instrument.id.toLowerCase();
  if (anyYes.has(id) || id.startsWith('cssrs') || id.startsWith('c-ssrs')) return answers.some((a) => a.value === 1);
  const condition = criticalConditions[id];
  return condition ? holds(condition, given) : false;
}
