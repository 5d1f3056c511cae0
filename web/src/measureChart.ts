// The arithmetic of the measures chart: scales, severity-band stripes, points and their
// reliable-change markers, and the words for change and outcomes (first → latest, NHS Talking
// Therapies). Pure functions of numbers, so they can be tested without drawing;
// components/MeasureChart.tsx turns them into SVG.
import { formatDay } from './format';
import type { TimeEvent } from './diagnoses';
import type { Assessment, Band, Change, MeasureOutcome, TalkingTherapiesOutcome } from './types';

/** The drawing area in pixels: the plot is inside the margins; band labels sit in the right one. */
export interface Frame {
  width: number;
  height: number;
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** A frame for a chart `width` pixels wide: a wider label gutter on wider screens. */
export function frameFor(width: number): Frame {
  const w = Math.max(280, Math.round(width));
  const right = w < 480 ? 92 : 132;
  return { width: w, height: w < 480 ? 220 : 260, top: 12, right, bottom: 36, left: 40 };
}

/** The linear map taking `domain` onto `range`; a zero-width domain maps to the range's middle. */
export function linear([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Score → y pixel: the instrument's minimum at the bottom of the plot, its maximum at the top. */
export function scoreScale(total: { min: number; max: number }, frame: Frame): (v: number) => number {
  return linear([total.min, total.max], [frame.height - frame.bottom, frame.top]);
}

/** Inner padding so the first and last points are not drawn on the axes. */
const xPad = 14;

/** Time (ms) → x pixel over the plot; one result (or one instant) sits in the middle. */
export function timeScale(times: readonly number[], frame: Frame): (t: number) => number {
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  return linear([lo, hi], [frame.left + xPad, frame.width - frame.right - xPad]);
}

/** A shaded horizontal stripe for one severity band. */
export interface Stripe {
  code: string;
  label: string;
  /** Scores covered, low to high. */
  from: number;
  to: number;
  /** Pixels: top edge and height. */
  y: number;
  height: number;
  /** 0 for the least severe band up to 4 for the most severe: picks a calm tint. */
  tone: number;
}

/**
 * Stripes for numeric bands, least to most severe by score. A band reaches up to the next
 * band's minimum; when the published ranges leave a gap between whole scores (PHQ-9 0–4,
 * 5–9 …) the boundary sits half-way (4.5), so no result is drawn on a line. Condition bands
 * (C-SSRS: min null) give no stripes. The tone follows the direction: when higher is better
 * (WHO-5) the top band is the calm one.
 */
export function bandStripes(bands: readonly Band[], total: { min: number; max: number }, higherIsWorse: boolean, y: (v: number) => number): Stripe[] {
  if (!bands.length || bands.some((b) => b.min === null || b.min === undefined)) return [];
  const sorted = [...bands].sort((a, b) => (a.min as number) - (b.min as number));
  const clamp = (v: number) => Math.min(total.max, Math.max(total.min, v));
  const boundary = (lower: Band, upper: Band) => {
    const next = upper.min as number;
    return lower.max !== null && lower.max !== undefined && lower.max < next ? (lower.max + next) / 2 : next;
  };
  const n = sorted.length;
  const stripes: Stripe[] = [];
  sorted.forEach((band, i) => {
    const from = clamp(i === 0 ? total.min : boundary(sorted[i - 1], band));
    const to = clamp(i === n - 1 ? total.max : boundary(band, sorted[i + 1]));
    if (to <= from) return;
    const rank = higherIsWorse ? i : n - 1 - i;
    const tone = n === 1 ? 0 : Math.round((rank * 4) / (n - 1));
    const top = y(to);
    stripes.push({ code: band.code, label: band.label, from, to, y: top, height: y(from) - top, tone });
  });
  return stripes;
}

/** Splits a band label into lines of at most `width` characters (SVG text does not wrap). */
export function labelLines(label: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of label.split(/\s+/).filter(Boolean)) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** Scores labelled on the y axis: the ends of the scale and where each band starts. */
export function scoreTicks(total: { min: number; max: number }, bands: readonly Band[]): number[] {
  const ticks = new Set<number>([total.min, total.max]);
  for (const b of bands) if (b.min !== null && b.min !== undefined && b.min > total.min && b.min < total.max) ticks.add(b.min);
  return [...ticks].sort((a, b) => a - b);
}

export type Marker = 'result' | 'improvement' | 'deterioration';

/** The marker of a result: its change since the previous result, when that change is reliable. */
export function markerOf(a: Pick<Assessment, 'change'>): Marker {
  const c = a.change?.previous;
  if (!c?.reliable) return 'result';
  if (c.classification === 'reliable_improvement') return 'improvement';
  if (c.classification === 'reliable_deterioration') return 'deterioration';
  return 'result';
}

export interface PlotPoint {
  id: string;
  x: number;
  y: number;
  total: number;
  completedAt: string;
  marker: Marker;
}

/** Results with a total, oldest first, with the instant each was completed. */
function scoredResults(results: readonly Assessment[]) {
  return results
    .filter((a) => typeof a.total === 'number')
    .map((a) => ({ a, t: Date.parse(a.completed_at) }))
    .filter((p) => !Number.isNaN(p.t))
    .sort((p, q) => p.t - q.t);
}

/** Events (medication changes) are drawn when they fall within this many days of the results' span. */
export const eventReachDays = 30;

/** An event's date as an instant: midday UTC, so it sits within its day in any time zone's label. */
export function eventTime(on: string): number {
  return Date.parse(`${on}T12:00:00Z`);
}

/** The events worth drawing beside results completed at `times`: within eventReachDays of their span. */
export function eventsNear(events: readonly TimeEvent[], times: readonly number[]): TimeEvent[] {
  if (!times.length) return [];
  const reach = eventReachDays * 86_400_000;
  const lo = Math.min(...times) - reach;
  const hi = Math.max(...times) + reach;
  return events.filter((e) => {
    const t = eventTime(e.on);
    return !Number.isNaN(t) && t >= lo && t <= hi;
  });
}

/**
 * Results with a total, oldest first, placed by when they were completed; the events drawn widen
 * the time axis. A `domain` (ms, first and last instant) fixes the axis instead, so that charts
 * drawn one above the other (the measures and the daily check-ins) share their dates.
 */
export function plotPoints(results: readonly Assessment[], total: { min: number; max: number }, frame: Frame, events: readonly TimeEvent[] = [], domain?: readonly [number, number]): PlotPoint[] {
  const scored = scoredResults(results);
  if (!scored.length) return [];
  const times = scored.map((p) => p.t);
  const x = domain ? timeScale(domain, frame) : timeScale([...times, ...eventsNear(events, times).map((e) => eventTime(e.on))], frame);
  const y = scoreScale(total, frame);
  return scored.map(({ a, t }) => ({ id: a.id, x: x(t), y: y(a.total as number), total: a.total as number, completedAt: a.completed_at, marker: markerOf(a) }));
}

/** A vertical mark on the time axis: the events of one day. */
export interface EventMark {
  x: number;
  on: string;
  labels: string[];
}

/** Where the events near the results go on the time axis (the same axis as plotPoints, and the same `domain`), one mark per day, oldest first. */
export function eventMarks(events: readonly TimeEvent[], results: readonly Assessment[], frame: Frame, domain?: readonly [number, number]): EventMark[] {
  const times = scoredResults(results).map((p) => p.t);
  const near = domain ? events.filter((e) => eventTime(e.on) >= domain[0] && eventTime(e.on) <= domain[1]) : eventsNear(events, times);
  if (!near.length || !times.length) return [];
  const x = domain ? timeScale(domain, frame) : timeScale([...times, ...near.map((e) => eventTime(e.on))], frame);
  const byDay = new Map<string, string[]>();
  for (const e of [...near].sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0))) byDay.set(e.on, [...(byDay.get(e.on) ?? []), e.label]);
  return [...byDay].map(([on, labels]) => ({ x: x(eventTime(on)), on, labels }));
}

/** SVG path data for a marker of half-size `s` centred on (x, y): a diamond for a reliable improvement, a triangle for a reliable deterioration. */
export function markerPath(marker: Exclude<Marker, 'result'>, x: number, y: number, s: number): string {
  const r = (v: number) => Math.round(v * 10) / 10;
  if (marker === 'improvement') return `M${r(x)} ${r(y - s)}L${r(x + s)} ${r(y)}L${r(x)} ${r(y + s)}L${r(x - s)} ${r(y)}Z`;
  return `M${r(x)} ${r(y - s)}L${r(x + s)} ${r(y + s * 0.8)}L${r(x - s)} ${r(y + s * 0.8)}Z`;
}

/** 12 → "12"; 12.25 → "12.3" (prorated scores). */
export function formatScore(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

const classificationWords: Record<Change['classification'], string> = {
  reliable_improvement: 'reliable improvement',
  reliable_deterioration: 'reliable deterioration',
  no_reliable_change: 'no reliable change',
};

/** "Down 7 since first — reliable improvement"; "No change since previous". */
export function changeWords(change: Change | null | undefined, since: 'first' | 'previous'): string {
  if (!change) return '';
  const d = change.delta;
  if (d === 0) return `No change since ${since}`;
  return `${d < 0 ? 'Down' : 'Up'} ${formatScore(Math.abs(d))} since ${since} — ${classificationWords[change.classification] ?? change.classification.replace(/_/g, ' ')}`;
}

/** The outcomes measured from the first result, in words ("reliable recovery", "remission"). */
export function outcomeWords(change: Change | null | undefined): string[] {
  if (!change) return [];
  const words: string[] = [];
  if (change.reliable_recovery) words.push('reliable recovery');
  else if (change.recovered) words.push('recovered (below the clinical cut-off)');
  if (change.response) words.push('response (score halved)');
  if (change.remission) words.push('remission');
  return words;
}

/** The short text beside a marker, and what it means. */
export const markerText: Record<Exclude<Marker, 'result'>, { short: string; long: string }> = {
  improvement: { short: 'Better', long: 'Reliable improvement since the previous result' },
  deterioration: { short: 'Worse', long: 'Reliable deterioration since the previous result' },
};

/** For a table cell: "−7, reliable improvement", "+2", "No change"; '' for a first result. */
export function shortChange(change: Change | null | undefined): string {
  if (!change) return '';
  if (change.delta === 0) return 'No change';
  const sign = change.delta < 0 ? '−' : '+';
  const amount = `${sign}${formatScore(Math.abs(change.delta))}`;
  return change.reliable ? `${amount}, ${classificationWords[change.classification] ?? change.classification.replace(/_/g, ' ')}` : amount;
}

/** "PHQ-9 14 → 6, GAD-7 11 → 7" */
function pairScores(tt: TalkingTherapiesOutcome): string {
  return `PHQ-9 ${formatScore(tt.phq9_first)} → ${formatScore(tt.phq9_last)}, GAD-7 ${formatScore(tt.gad7_first)} → ${formatScore(tt.gad7_last)}`;
}

/**
 * The NHS Talking Therapies outcome of the first and latest PHQ-9 and GAD-7, in one plain
 * statement with the scores it rests on: "Recovered and reliably improved (NHS Talking
 * Therapies definitions: PHQ-9 14 → 6, GAD-7 11 → 7)". Reliable deterioration is said first,
 * whatever else holds. Recovery applies only to a client in the clinical range at the start
 * (PHQ-9 10 or more, or GAD-7 8 or more); '' when there is no pair of each yet.
 */
export function talkingTherapiesWords(tt: TalkingTherapiesOutcome | null | undefined): string {
  if (!tt) return '';
  const sentences: string[] = [];
  if (tt.reliable_deterioration) {
    sentences.push(tt.case_at_start && tt.recovered ? 'Reliable deterioration, although both scores are now below the clinical cut-offs' : 'Reliable deterioration');
    if (!tt.case_at_start) sentences.push('Not in the clinical range at the start: recovery does not apply');
  } else if (!tt.case_at_start) {
    sentences.push(`Not in the clinical range at the start: recovery does not apply; ${tt.reliable_improvement ? 'reliably improved' : 'no reliable change'}`);
  } else if (tt.reliable_recovery || (tt.recovered && tt.reliable_improvement)) {
    sentences.push('Recovered and reliably improved');
  } else if (tt.recovered) {
    sentences.push('Recovered (both scores below the clinical cut-offs), without reliable improvement');
  } else if (tt.reliable_improvement) {
    sentences.push('Reliably improved, not recovered: still in the clinical range');
  } else {
    sentences.push('No reliable change, and still in the clinical range');
  }
  return `${sentences.join('. ')} (NHS Talking Therapies definitions: ${pairScores(tt)})`;
}

/** One measure's first and latest result in words, for "Outcome so far". */
export interface MeasureOutcomeText {
  /** "19 → 8"; "19" with one result; '' when the measure has no total (C-SSRS). */
  scores: string;
  /** "1 Oct 2026 to 20 Nov 2026, 3 results"; "one result, 1 Oct 2026". */
  when: string;
  /** "Down 11 since first — reliable improvement; reliable recovery"; '' with one result. */
  change: string;
}

export function measureOutcomeText(m: MeasureOutcome): MeasureOutcomeText {
  const total = (v: number | null) => (v === null || v === undefined ? '' : formatScore(v));
  const first = total(m.first.total);
  const last = total(m.last.total);
  if (m.count <= 1) return { scores: last, when: `one result, ${formatDay(m.last.completed_at)}`, change: '' };
  const outcomes = outcomeWords(m.change);
  return {
    scores: first && last ? `${first} → ${last}` : '',
    when: `${formatDay(m.first.completed_at)} to ${formatDay(m.last.completed_at)}, ${m.count} results`,
    change: [changeWords(m.change, 'first'), outcomes.join(', ')].filter(Boolean).join('; '),
  };
}
