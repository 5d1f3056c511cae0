// The daily check-in as the API has it (docs/api.md, "Check-ins"), the words of its scales, and
// the small pure decisions the portal and the chart make about it: what a day's form sends, how
// a streak is said without guilt, which urges are marked, where a day sits on a time axis.
import { formatDate } from './format';

export type Medication = 'yes' | 'no' | 'not_applicable';

/** POST /api/v1/me/check-ins: only date and mood are required; a skipped rating is left out. */
export interface CheckInInput {
  date: string;
  mood: number;
  anxiety?: number;
  sleep_hours?: number;
  sleep_quality?: number;
  energy?: number;
  self_harm_urge?: number;
  medication?: Medication;
  factors?: string[];
  note?: string;
  share_note?: boolean;
}

/** One stored check-in (GET /api/v1/me/check-ins, and the clinician's list where note is null unless shared). */
export interface CheckIn {
  id: string;
  date: string;
  mood: number;
  anxiety: number | null;
  sleep_hours: number | null;
  sleep_quality: number | null;
  energy: number | null;
  self_harm_urge: number | null;
  medication: Medication | null;
  factors: string[];
  note: string | null;
  share_note: boolean;
  created_at: string;
  updated_at: string;
  /** In the care team's view: the label of each factor, in the order of `factors`. */
  factor_labels?: string[];
}

/** The answer to a POST: the stored check-in, and whether it told the care team (crisis). */
export type CheckInSaved = CheckIn & { alert_raised?: boolean };

export interface Factor {
  id: string;
  label: string;
  kind: 'activity' | 'factor';
  /** Added by this client (not from the service's list). */
  own: boolean;
}

export interface SeriesPoint {
  /** The day, or the Monday of the week. */
  date: string;
  /** "2026-W49" when the point is a week's mean; null or absent for a day. */
  week?: string | null;
  value: number;
  count: number;
}

export type SeriesName = 'mood' | 'anxiety' | 'sleep_hours' | 'sleep_quality' | 'energy' | 'self_harm_urge';

export interface Streak {
  current: number;
  best: number;
  last_7: number;
  last_30: number;
}

export interface Pattern {
  factor_id: string;
  label: string;
  days_with: number;
  days_without: number;
  mean_with: number | null;
  mean_without: number | null;
  verdict: boolean | string;
  text: string;
}

export type Span = 'week' | 'month' | 'year';

/** GET /api/v1/me/check-ins/summary?span=… */
export interface CheckInSummary {
  today: string;
  span: Span;
  from: string;
  to: string;
  streak: Streak;
  series: Partial<Record<SeriesName, SeriesPoint[]>>;
  patterns: Pattern[];
}

export const checkInsPath = '/api/v1/me/check-ins';
export const factorsPath = '/api/v1/me/factors';

// ---- The scales, in the words the client sees

export interface ScaleStep {
  value: number;
  label: string;
}

/** Mood 0 (worst) – 10 (best). */
export const moodScale: ScaleStep[] = [
  { value: 0, label: 'Awful' },
  { value: 1, label: 'Very bad' },
  { value: 2, label: 'Bad' },
  { value: 3, label: 'Low' },
  { value: 4, label: 'A bit low' },
  { value: 5, label: 'Okay' },
  { value: 6, label: 'Fairly good' },
  { value: 7, label: 'Good' },
  { value: 8, label: 'Very good' },
  { value: 9, label: 'Great' },
  { value: 10, label: 'The best' },
];

/** Anxiety and energy are plain 0–10 with words at the ends. */
export const zeroToTen: number[] = Array.from({ length: 11 }, (_, i) => i);

export const sleepQualityScale: ScaleStep[] = [
  { value: 0, label: 'Very poor' },
  { value: 1, label: 'Poor' },
  { value: 2, label: 'Okay' },
  { value: 3, label: 'Good' },
  { value: 4, label: 'Very good' },
];

/** Self-harm urges 0–5; the crisis service counts 3 (strong) and above (docs/api.md, "Crisis"). */
export const urgeScale: ScaleStep[] = [
  { value: 0, label: 'None' },
  { value: 1, label: 'A little' },
  { value: 2, label: 'Some' },
  { value: 3, label: 'Strong' },
  { value: 4, label: 'Very strong' },
  { value: 5, label: 'Extreme' },
];

export const medicationChoices: { value: Medication; label: string }[] = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
  { value: 'not_applicable', label: 'I don’t take any' },
];

/** Urges from "Strong" (3) up are marked for the care team; the crisis rules alert from the same point. */
export const strongUrge = 3;

export function isStrongUrge(v: number | null | undefined): v is number {
  return typeof v === 'number' && v >= strongUrge;
}

export function moodWord(v: number): string {
  return moodScale.find((s) => s.value === Math.round(v))?.label ?? '';
}

export function urgeWord(v: number): string {
  return urgeScale.find((s) => s.value === Math.round(v))?.label ?? '';
}

export function sleepQualityWord(v: number): string {
  return sleepQualityScale.find((s) => s.value === Math.round(v))?.label ?? '';
}

export function medicationWord(v: Medication | null | undefined): string {
  return medicationChoices.find((m) => m.value === v)?.label ?? '';
}

/** 7.5 → "7½ hours"; 1 → "1 hour". */
export function sleepWords(hours: number): string {
  const whole = Math.floor(hours);
  const half = hours - whole >= 0.5;
  const n = half ? `${whole === 0 ? '' : whole}½` : String(whole);
  return `${n} hour${hours === 1 ? '' : 's'}`;
}

/** Hours slept 0–24 in halves. */
export const sleepHourOptions: number[] = Array.from({ length: 49 }, (_, i) => i / 2);

// ---- Dates

function pad(n: number) {
  return String(n).padStart(2, '0');
}

/** 'YYYY-MM-DD' moved by `days` (calendar arithmetic, no time zone involved). */
export function addDays(ymd: string, days: number): string {
  const [y, m, d] = ymd.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** The server refuses a check-in dated more than this many days ago. */
export const backfillDays = 7;

/** The days a check-in may be made for, today first: "Today", "Yesterday", then dates. */
export function dayChoices(today: string): { value: string; label: string }[] {
  return Array.from({ length: backfillDays + 1 }, (_, i) => {
    const value = addDays(today, -i);
    return { value, label: i === 0 ? `Today (${formatDate(value)})` : i === 1 ? `Yesterday (${formatDate(value)})` : formatDate(value) };
  });
}

// ---- The form

/** What the form holds: a rating not given is null. */
export interface CheckInForm {
  date: string;
  mood: number | null;
  anxiety: number | null;
  sleep_hours: number | null;
  sleep_quality: number | null;
  energy: number | null;
  self_harm_urge: number | null;
  medication: Medication | null;
  factors: string[];
  note: string;
  share_note: boolean;
}

export function emptyForm(date: string): CheckInForm {
  return { date, mood: null, anxiety: null, sleep_hours: null, sleep_quality: null, energy: null, self_harm_urge: null, medication: null, factors: [], note: '', share_note: false };
}

/** The form filled from a stored check-in, to change it (saving again replaces that day's). */
export function formFrom(c: CheckIn): CheckInForm {
  return {
    date: c.date,
    mood: c.mood,
    anxiety: c.anxiety,
    sleep_hours: c.sleep_hours,
    sleep_quality: c.sleep_quality,
    energy: c.energy,
    self_harm_urge: c.self_harm_urge,
    medication: c.medication,
    factors: [...c.factors],
    note: c.note ?? '',
    share_note: c.share_note,
  };
}

/** The POST body: skipped ratings left out, the note trimmed, share_note only with a note. */
export function checkInBody(f: CheckInForm): CheckInInput | null {
  if (f.mood === null) return null;
  const body: CheckInInput = { date: f.date, mood: f.mood };
  if (f.anxiety !== null) body.anxiety = f.anxiety;
  if (f.sleep_hours !== null) body.sleep_hours = f.sleep_hours;
  if (f.sleep_quality !== null) body.sleep_quality = f.sleep_quality;
  if (f.energy !== null) body.energy = f.energy;
  if (f.self_harm_urge !== null) body.self_harm_urge = f.self_harm_urge;
  if (f.medication !== null) body.medication = f.medication;
  if (f.factors.length) body.factors = [...f.factors];
  const note = f.note.trim();
  if (note) {
    body.note = note;
    body.share_note = f.share_note;
  }
  return body;
}

export const noteMax = 500;

// ---- Streaks, said without guilt

/**
 * "You checked in on 5 of the last 7 days." Counts what was done, never what was missed: no
 * "broken" streaks. With none in the last week, an invitation rather than a tally of zero.
 */
export function streakWords(s: Streak): string[] {
  const lines: string[] = [];
  if (s.last_7 > 0) lines.push(`You checked in on ${s.last_7} of the last 7 days.`);
  else lines.push('Whenever you are ready, a check-in takes under a minute.');
  if (s.last_30 > s.last_7) lines.push(`${s.last_30} of the last 30 days.`);
  if (s.current >= 2) lines.push(`${s.current} days in a row up to now.`);
  return lines;
}

/** The caution every pattern is read with. */
export const patternCaution = 'A pattern, not proof of cause.';

// ---- On a time axis

/** A day as an instant: midday UTC, so it sits within its day in any time zone (as medication events do). */
export function dayTime(ymd: string): number {
  return Date.parse(`${ymd}T12:00:00Z`);
}

/** The first and last instant of `times`; null when there are none. */
export function span(times: readonly number[]): [number, number] | null {
  const ok = times.filter((t) => !Number.isNaN(t));
  if (!ok.length) return null;
  return [Math.min(...ok), Math.max(...ok)];
}

/** The check-ins as points of one rating, oldest first, leaving out days without it. */
export function ratingPoints(items: readonly CheckIn[], field: SeriesName): { date: string; value: number }[] {
  return items
    .filter((c) => typeof c[field] === 'number')
    .map((c) => ({ date: c.date, value: c[field] as number }))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** The label of a factor id: from the list when known, else the id in words ("time_outdoors" → "Time outdoors"). */
export function factorLabel(id: string, known: ReadonlyMap<string, string>): string {
  const label = known.get(id);
  if (label) return label;
  const s = id.replace(/^own_/, '').replace(/_/g, ' ');
  return s ? s[0].toUpperCase() + s.slice(1) : id;
}

/** How far back the clinician's chart reads check-ins: to the first measure, at least 90 days, at most a year. */
export function checkInWindow(measureTimes: readonly number[], today: string): { from: string; to: string } {
  const floor = addDays(today, -365);
  let from = addDays(today, -90);
  const first = span(measureTimes);
  if (first) {
    const d = new Date(first[0]).toISOString().slice(0, 10);
    if (d < from) from = d < floor ? floor : d;
  }
  return { from, to: today };
}

/**
 * The time axis the measure graphs and the check-in graph share: from the first to the last of
 * any result or check-in. Undefined without check-ins, when each measure keeps its own axis.
 */
export function sharedAxis(measureTimes: readonly number[], checkIns: readonly Pick<CheckIn, 'date'>[]): [number, number] | undefined {
  if (!checkIns.length) return undefined;
  return span([...measureTimes, ...checkIns.map((c) => dayTime(c.date))]) ?? undefined;
}
