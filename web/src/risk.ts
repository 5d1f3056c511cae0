// Decides, in the browser and before anything is sent, whether a client's answers raise a
// critical flag, so that the screen after "Send my answers" is their safety plan and crisis
// lines even when the submission fails or hangs.
//
// The server scores flags from each instrument's `scoring.flags[].when` (content/instruments/),
// but GET /api/v1/instruments/{id} does not send those conditions. Until it does, this table
// repeats the critical conditions of the shipped instruments, erring on the side of showing
// help: a false "show the safety plan" costs a client a screen; a missed one could cost more.
// When an instrument answer does carry `flags` with `when`, those are used instead.
import type { Answer, Instrument } from './types';

type Op = '>' | '>=' | '==' | '=' | '!=' | '<' | '<=';

/** One item compared with a value, as in the instruments' `when`. */
interface ItemCondition {
  item: string;
  op: Op;
  value: number;
}

/** The subset of the instrument files' `when` that critical flags use. */
export type FlagCondition = ItemCondition | { any: FlagCondition[] } | { all: FlagCondition[] } | { not: FlagCondition } | { answered: string };

/** A flag as an instrument may describe it (the server does not send these yet). */
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
  const v = answers.get(c.item);
  if (v === undefined) return false;
  switch (c.op) {
    case '>':
      return v > c.value;
    case '>=':
      return v >= c.value;
    case '==':
    case '=':
      return v === c.value;
    case '!=':
      return v !== c.value;
    case '<':
      return v < c.value;
    case '<=':
      return v <= c.value;
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
