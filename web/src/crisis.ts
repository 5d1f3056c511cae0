// Pure rules of the crisis screens: level words and order, the board's order, deadlines in
// words, the resolve form's check, timeline lines and the safety plan's sections. No DOM here.
import { humanize } from './format';
import type { FormErrors } from './problem';
import type { Alert, AlertLevel, AlertStatus, AlertTimelineEntry, SafetyPlanContact, SafetyPlanSections } from './types';

export const alertLevels: readonly AlertLevel[] = ['imminent', 'high', 'moderate', 'low'];

/** 3 for imminent … 0 for low; an unknown level counts as high (never as the least urgent). */
export function levelRank(level: string): number {
  const rank = ['low', 'moderate', 'high', 'imminent'].indexOf(level);
  return rank < 0 ? 2 : rank;
}

/** The words always shown with a level's colour, so colour is never the only sign. */
export function levelWords(level: string): string {
  switch (level) {
    case 'imminent':
      return 'Imminent risk';
    case 'high':
      return 'High risk';
    case 'moderate':
      return 'Moderate risk';
    case 'low':
      return 'Low risk';
    default:
      return `${humanize(level)} risk`;
  }
}

/** The colour family of a level: red for imminent and high, amber for moderate, blue for low. */
export function levelTone(level: string): 'red' | 'amber' | 'blue' {
  const rank = levelRank(level);
  return rank >= 2 ? 'red' : rank === 1 ? 'amber' : 'blue';
}

/** Imminent and high alerts sound until someone acknowledges them. */
export function soundsUntilAcknowledged(a: Pick<Alert, 'level' | 'status'>): boolean {
  return a.status === 'open' && levelRank(a.level) >= 2;
}

const statusRank: Record<AlertStatus, number> = { open: 0, acknowledged: 1, resolved: 2 };

/**
 * The board's order: open before acknowledged before resolved, then the most urgent level,
 * then the nearest deadline (an overdue one first), then the oldest.
 */
export function sortAlerts<T extends Pick<Alert, 'status' | 'level' | 'deadline_at' | 'opened_at'>>(alerts: readonly T[]): T[] {
  const time = (iso: string) => {
    const t = Date.parse(iso);
    return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
  };
  return [...alerts].sort(
    (a, b) =>
      (statusRank[a.status] ?? 0) - (statusRank[b.status] ?? 0) ||
      levelRank(b.level) - levelRank(a.level) ||
      time(a.deadline_at) - time(b.deadline_at) ||
      time(a.opened_at) - time(b.opened_at),
  );
}

/** "45 s", "4 min 05 s", "53 min", "5 h 20 min", "3 days": precise while it matters. */
export function spanWords(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  if (m < 120) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return `${d} days`;
}

/** "Acknowledge within 4 min 05 s" or "Overdue by 2 min". */
export function deadlineWords(deadlineAt: string, now: number = Date.now()): { text: string; overdue: boolean } {
  const at = Date.parse(deadlineAt);
  if (Number.isNaN(at)) return { text: '', overdue: false };
  const left = at - now;
  return left < 0 ? { text: `Overdue by ${spanWords(-left)}`, overdue: true } : { text: `${spanWords(left)} left`, overdue: false };
}

const stepWords: Record<string, string> = {
  primary_clinician: 'primary clinician',
  care_team: 'care team',
  on_call: 'on-call',
  supervisor: 'supervisor',
  // past the end of the chain: on-call and supervisor are notified again, round after round
  end: 'on-call and supervisor (repeating)',
};

/** 'on_call' → 'on-call': who is being asked to answer now. */
export function stepName(code: string | null | undefined): string {
  if (!code) return '';
  return stepWords[code] ?? humanize(code).toLowerCase();
}

export const resolveOutcomes = [
  { value: 'contacted_client', label: 'Contacted the client' },
  { value: 'safety_plan_reviewed', label: 'Safety plan reviewed with the client' },
  { value: 'emergency_services_called', label: 'Emergency services called' },
  { value: 'hospital', label: 'Client went to hospital' },
  { value: 'no_contact_possible', label: 'No contact possible' },
  { value: 'no_risk_found', label: 'No risk found' },
  { value: 'other', label: 'Other' },
] as const;

export function outcomeWords(code: string | null | undefined): string {
  return resolveOutcomes.find((o) => o.value === code)?.label ?? (code ? humanize(code) : '');
}

/** The contract asks for a note with these outcomes. */
export function outcomeNeedsNote(outcome: string): boolean {
  return outcome === 'other' || outcome === 'no_contact_possible';
}

/** The resolve form's own check, before the server's (which may say more, as a 422). */
export function checkResolve(v: { outcome: string; note: string }): FormErrors {
  const fields: Record<string, string> = {};
  if (!v.outcome) fields.outcome = 'Choose what happened.';
  else if (outcomeNeedsNote(v.outcome) && !v.note.trim()) {
    fields.note = v.outcome === 'other' ? 'Say what happened: a note is needed with “Other”.' : 'Say what was tried: a note is needed when no contact was possible.';
  }
  const n = Object.keys(fields).length;
  return { summary: n === 0 ? '' : n === 1 ? 'Please correct the marked field.' : `Please correct the ${n} marked fields.`, fields };
}

const channelWords: Record<string, string> = { live: 'in Tend', email: 'by email', webhook: 'by pager or SMS gateway' };

/** One line of an alert's timeline, in words. */
export function timelineWords(e: AlertTimelineEntry): string {
  const who = e.user?.name ?? '';
  const how = e.channel ? channelWords[e.channel] ?? e.channel : '';
  const join = (...parts: string[]) => parts.filter(Boolean).join(' ');
  switch (e.kind) {
    case 'raised':
      return join('Alert raised', who ? `by ${who}` : '');
    case 'signal':
      return 'A new signal joined this alert';
    case 'level_raised':
      return 'Level raised';
    case 'notified':
      return join('Notified', who, how);
    case 'escalated':
      return join('Escalated', e.step !== undefined && e.step !== null ? `(step ${e.step + 1})` : '');
    case 'renotified':
      return join('Notified again', who, how);
    case 'delivered':
      return join('Delivered', who ? `to ${who}` : '', how);
    case 'delivery_failed':
      return join('Delivery failed', who ? `to ${who}` : '', how);
    case 'acknowledged':
      return join('Acknowledged', who ? `by ${who}` : '');
    case 'resolved':
      return join('Resolved', who ? `by ${who}` : '');
    case 'follow_up':
      return 'Caring-contact follow-up scheduled';
    default:
      return join(humanize(e.kind), who);
  }
}

// ---- The Stanley-Brown safety plan (Stanley & Brown, Cognitive and Behavioral Practice 2012).

export type SectionKey = keyof SafetyPlanSections;
export type ListSectionKey = Exclude<SectionKey, 'professionals'>;

/** The seven sections in the plan's order; `mine` is the client's wording in the portal. */
export const planSections: readonly { key: SectionKey; title: string; mine: string; hint: string }[] = [
  { key: 'warning_signs', title: 'Warning signs', mine: 'My warning signs', hint: 'Thoughts, images, moods, situations or behaviour that a crisis may be coming.' },
  { key: 'coping_strategies', title: 'Internal coping strategies', mine: 'Things I can do on my own', hint: 'Things to do alone to take the mind off problems, without contacting anyone.' },
  { key: 'distractions', title: 'People and social settings that provide distraction', mine: 'People and places that take my mind off things', hint: 'Names, or places such as a café or a park.' },
  { key: 'people_to_ask', title: 'People to ask for help', mine: 'People I can ask for help', hint: 'Names, and how to reach them.' },
  { key: 'professionals', title: 'Professionals or agencies to contact in a crisis', mine: 'Professionals I can call in a crisis', hint: 'Clinician, out-of-hours service, crisis line or urgent care.' },
  { key: 'safe_environment', title: 'Making the environment safe', mine: 'Making where I am safer', hint: 'Ways to keep away from or limit what could be used for harm.' },
  { key: 'reasons_for_living', title: 'Reasons for living', mine: 'What matters most to me and is worth living for', hint: 'The one thing, or the few things, most important to the client.' },
];

export function emptySections(): SafetyPlanSections {
  return { warning_signs: [], coping_strategies: [], distractions: [], people_to_ask: [], professionals: [], safe_environment: [], reasons_for_living: [] };
}

/** Fills any section the server left out, so every screen can rely on all seven lists. */
export function completeSections(s: Partial<SafetyPlanSections> | null | undefined): SafetyPlanSections {
  const base = emptySections();
  if (!s) return base;
  for (const { key } of planSections) {
    const v = s[key];
    if (Array.isArray(v)) (base as unknown as Record<string, unknown>)[key] = v;
  }
  return base;
}

/** What is saved: lines trimmed, empty lines and nameless contacts dropped, empty phone/note left out. */
export function sectionsToSave(s: SafetyPlanSections): SafetyPlanSections {
  const lines = (xs: string[]) => xs.map((x) => x.trim()).filter(Boolean);
  const contact = (c: SafetyPlanContact): SafetyPlanContact => {
    const out: SafetyPlanContact = { name: c.name.trim() };
    if (c.phone?.trim()) out.phone = c.phone.trim();
    if (c.note?.trim()) out.note = c.note.trim();
    return out;
  };
  return {
    warning_signs: lines(s.warning_signs),
    coping_strategies: lines(s.coping_strategies),
    distractions: lines(s.distractions),
    people_to_ask: lines(s.people_to_ask),
    professionals: s.professionals.map(contact).filter((c) => c.name),
    safe_environment: lines(s.safe_environment),
    reasons_for_living: lines(s.reasons_for_living),
  };
}

export function planIsEmpty(s: SafetyPlanSections): boolean {
  return planSections.every(({ key }) => s[key].length === 0);
}

/** Moves item `from` to `to` in a copy of `list`. */
export function move<T>(list: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length || from === to) return [...list];
  const next = [...list];
  const [x] = next.splice(from, 1);
  next.splice(to, 0, x);
  return next;
}

/** A phone number as a tel: link target: digits and a leading + only. */
export function telHref(phone: string): string {
  const t = phone.trim();
  return `tel:${t.startsWith('+') ? '+' : ''}${t.replace(/[^0-9]/g, '')}`;
}

/** An SMS target: a short code or number, optionally with a body ("741741" or "741741?body=HOME"). */
export function smsHref(text: string): string {
  const m = /^\s*(?:text\s+)?(\S+?)\s+to\s+(\+?[0-9 ]+)\s*$/i.exec(text);
  if (m) return `sms:${m[2].replace(/\s/g, '')}?body=${encodeURIComponent(m[1])}`;
  return `sms:${text.trim().replace(/[^0-9+]/g, '')}`;
}

// ---- The on-call roster

export const weekdays = [
  { value: 'mon', label: 'Mon' },
  { value: 'tue', label: 'Tue' },
  { value: 'wed', label: 'Wed' },
  { value: 'thu', label: 'Thu' },
  { value: 'fri', label: 'Fri' },
  { value: 'sat', label: 'Sat' },
  { value: 'sun', label: 'Sun' },
] as const;

/** Minutes east of UTC of `tz` at the instant `utcMs` (e.g. 60 for Europe/Paris in winter). */
export function zoneOffsetMinutes(utcMs: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/**
 * A wall-clock time in a time zone ('2026-11-23T17:00' in 'America/New_York') as an RFC 3339
 * instant, or null when it is not a time. In a gap (spring forward) it lands after the gap.
 */
export function zonedToUtc(local: string, tz: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  try {
    let utc = wall - zoneOffsetMinutes(wall, tz) * 60_000;
    utc = wall - zoneOffsetMinutes(utc, tz) * 60_000;
    return new Date(utc).toISOString().replace(/\.000Z$/, 'Z');
  } catch {
    return null;
  }
}

/** Every IANA time zone this browser knows, with the browser's own first. */
export function timeZones(): string[] {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const all = typeof intl.supportedValuesOf === 'function' ? intl.supportedValuesOf('timeZone') : [];
  return [own, ...all.filter((z) => z !== own), ...(all.includes('UTC') || own === 'UTC' ? [] : ['UTC'])];
}
