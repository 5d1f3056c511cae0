// Treatment plans, discharge summaries and relapse prevention plans: the API's shapes and the
// pure helpers the chart and the portal share (agreement in words, progress in words, a diff
// grouped by section, an editable draft from a plan and back).
import { formatDate, formatDateTime } from './format';

export type Comparison = 'below' | 'at_most' | 'at_least';
export type ProgressStatus = 'met' | 'not_yet' | 'overdue';

export interface PlanItem {
  id: string;
  text: string;
}

export interface Progress {
  status: ProgressStatus;
  baseline: number | null;
  baseline_on: string | null;
  latest: number | null;
  latest_on: string | null;
  results: number;
}

export interface Objective {
  id: string;
  text: string;
  target_on: string;
  since: string;
  instrument_id: string | null;
  instrument_name: string | null;
  comparison: Comparison | null;
  target: number | null;
  progress?: Progress;
}

export interface PlanIntervention {
  id: string;
  code: string;
  name: string;
  client_text: string;
  detail: string;
  frequency: string;
  delivered_by: { id: string; name: string };
}

export interface PlanContent {
  problems: PlanItem[];
  goals: PlanItem[];
  objectives: Objective[];
  interventions: PlanIntervention[];
  review_on: string;
}

export interface Agreement {
  version: number | null;
  at: string | null;
  current: boolean;
}

export interface Plan extends PlanContent {
  id: string;
  client_id: string;
  episode_id: string | null;
  created_by: string;
  version: number;
  saved_by: { id: string; name: string };
  saved_at: string;
  review_due: 'overdue' | 'today' | 'upcoming';
  agreement: Agreement;
}

export interface PlanSummary {
  id: string;
  version: number;
  review_on: string;
  saved_at: string;
  agreement: Agreement;
}

export interface PlanVersion extends PlanContent {
  version: number;
  saved_by: { id: string; name: string };
  saved_at: string;
}

export interface PlanChange {
  section: 'problems' | 'goals' | 'objectives' | 'interventions' | 'review_on';
  id: string;
  kind: 'added' | 'removed' | 'changed';
  before: string;
  after: string;
}

export interface InterventionInfo {
  code: string;
  name: string;
  client_text: string;
}

export interface RelapsePrevention {
  warning_signs: string[];
  what_helps: string[];
  contacts: string[];
  coming_back: string;
}

export interface Discharge {
  episode_id: string;
  client_id: string;
  program: string;
  ended_on: string | null;
  reason: string;
  what_helped: string;
  recommendations: string;
  outcomes: { instrument_id: string; instrument_name: string; start: number; start_on: string; end: number; end_on: string }[];
  relapse: RelapsePrevention;
  written_by: { id: string; name: string };
  updated_at: string;
  version: number;
}

/** "Agreed to version 3 on …; version 4 not yet agreed", for staff. */
export function agreementWords(plan: Pick<Plan, 'version' | 'agreement'>): string {
  const a = plan.agreement;
  if (a.version === null || !a.at) return `Version ${plan.version} not yet agreed by the client`;
  const agreed = `Agreed to version ${a.version} on ${formatDateTime(a.at)}`;
  return a.current ? agreed : `${agreed}; version ${plan.version} not yet agreed`;
}

const comparisonWords: Record<Comparison, string> = { below: 'below', at_most: 'at most', at_least: 'at least' };

/** "PHQ-9 below 10 by 1 Mar 2027". */
export function targetWords(o: Objective): string {
  const by = `by ${formatDate(o.target_on)}`;
  if (!o.instrument_id || o.comparison === null || o.target === null) return by;
  return `${o.instrument_name ?? o.instrument_id} ${comparisonWords[o.comparison]} ${o.target} ${by}`;
}

export const progressWords: Record<ProgressStatus, string> = { met: 'Met', not_yet: 'Not yet', overdue: 'Overdue' };

/** "From 16 (1 Nov 2026) to 8 (20 Dec 2026)", or that there are no results yet. */
export function progressLine(p: Progress | undefined): string {
  if (!p || p.latest === null) return 'No results yet';
  if (p.results === 1 || p.baseline_on === p.latest_on) return `${p.latest} (${formatDate(p.latest_on!)})`;
  return `From ${p.baseline} (${formatDate(p.baseline_on!)}) to ${p.latest} (${formatDate(p.latest_on!)})`;
}

const sectionWords: Record<PlanChange['section'], string> = {
  problems: 'Problems',
  goals: 'Goals',
  objectives: 'Objectives',
  interventions: 'Interventions',
  review_on: 'Review date',
};

/** The changes grouped under their sections, in the order the server gave them. */
export function groupChanges(changes: readonly PlanChange[]): { section: string; changes: PlanChange[] }[] {
  const out: { section: string; changes: PlanChange[] }[] = [];
  for (const c of changes) {
    const title = sectionWords[c.section];
    let group = out.find((g) => g.section === title);
    if (!group) {
      group = { section: title, changes: [] };
      out.push(group);
    }
    group.changes.push(c);
  }
  return out;
}

/** What the editor holds: every value a string, as the inputs give them. */
export interface Draft {
  problems: PlanItem[];
  goals: PlanItem[];
  objectives: { id: string; text: string; target_on: string; instrument_id: string; comparison: Comparison; target: string }[];
  interventions: { id: string; code: string; detail: string; frequency: string; delivered_by: string }[];
  review_on: string;
}

export function draftOf(plan: PlanContent | null, me: string): Draft {
  if (!plan) {
    return {
      problems: [{ id: '', text: '' }],
      goals: [{ id: '', text: '' }],
      objectives: [],
      interventions: [{ id: '', code: 'cbt', detail: '', frequency: 'weekly', delivered_by: me }],
      review_on: '',
    };
  }
  return {
    problems: plan.problems.map((p) => ({ ...p })),
    goals: plan.goals.map((g) => ({ ...g })),
    objectives: plan.objectives.map((o) => ({
      id: o.id,
      text: o.text,
      target_on: o.target_on,
      instrument_id: o.instrument_id ?? '',
      comparison: o.comparison ?? 'below',
      target: o.target === null ? '' : String(o.target),
    })),
    interventions: plan.interventions.map((i) => ({ id: i.id, code: i.code, detail: i.detail, frequency: i.frequency, delivered_by: i.delivered_by.id })),
    review_on: plan.review_on,
  };
}

/** The request body for a draft: empty rows left out, new items without ids, numbers as numbers. */
export function bodyOf(d: Draft): Record<string, unknown> {
  const id = (v: string) => (v ? { id: v } : {});
  return {
    problems: d.problems.filter((p) => p.text.trim()).map((p) => ({ ...id(p.id), text: p.text.trim() })),
    goals: d.goals.filter((g) => g.text.trim()).map((g) => ({ ...id(g.id), text: g.text.trim() })),
    objectives: d.objectives
      .filter((o) => o.text.trim() || o.target_on)
      .map((o) => ({
        ...id(o.id),
        text: o.text.trim(),
        target_on: o.target_on,
        ...(o.instrument_id ? { instrument_id: o.instrument_id, comparison: o.comparison, target: o.target.trim() === '' ? null : Number(o.target) } : {}),
      })),
    interventions: d.interventions.map((i) => ({ ...id(i.id), code: i.code, detail: i.detail.trim(), frequency: i.frequency.trim(), delivered_by: i.delivered_by })),
    review_on: d.review_on,
  };
}
