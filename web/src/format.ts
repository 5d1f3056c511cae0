// Small, pure helpers for showing values. Kept free of the DOM so they can be tested alone.
import type { ClientSummary } from './types';

/** Parses 'YYYY-MM-DD' into its parts, or null when it is not a real calendar date. */
export function parseDate(value: string): { year: number; month: number; day: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return { year, month, day };
}

/**
 * Age in whole years on `today` (local calendar date) for a 'YYYY-MM-DD' date of birth; null
 * when the date is not valid or is after today. Someone born on 29 February turns a year older
 * on 1 March in years without one.
 */
export function ageOn(dateOfBirth: string, today: Date = new Date()): number | null {
  const born = parseDate(dateOfBirth);
  if (!born) return null;
  const y = today.getFullYear();
  const m = today.getMonth() + 1;
  const d = today.getDate();
  let age = y - born.year;
  if (m < born.month || (m === born.month && d < born.day)) age -= 1;
  return age < 0 ? null : age;
}

/** "Ada Lovelace" — the legal name; the preferred name is shown beside it where it differs. */
export function fullName(c: Pick<ClientSummary, 'given_name' | 'family_name'>): string {
  return `${c.given_name} ${c.family_name}`.trim();
}

/** The preferred name when it adds something to the full name, else null. */
export function preferredNote(c: Pick<ClientSummary, 'given_name' | 'preferred_name'>): string | null {
  const p = c.preferred_name?.trim();
  return p && p !== c.given_name ? p : null;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** With seconds, for logs where many entries share a minute. */
export function formatDateTimeSeconds(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeSeconds.format(d);
}

/** A calendar date ('YYYY-MM-DD') shown in the reader's style, without shifting the day. */
export function formatDate(ymd: string): string {
  const p = parseDate(ymd);
  return p ? dateOnly.format(new Date(Date.UTC(p.year, p.month - 1, p.day))) : ymd;
}

/** 'primary_clinician' → 'Primary clinician'. */
export function humanize(code: string): string {
  const s = code.replace(/_/g, ' ');
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

const dayOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** The local calendar day of an instant ('2026-11-20T14:03:00Z' → '20 Nov 2026'). */
export function formatDay(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dayOnly.format(d);
}

/** Today's local calendar date as 'YYYY-MM-DD'. */
export function todayISO(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

/** "Overdue by 3 days", "Due today", "Due since 18 Nov 2026" (within the grace days), "Due 5 Dec 2026". */
export function dueWords(due: { due_date: string; overdue: boolean; days_overdue: number }, today: string = todayISO()): string {
  // days_overdue counts from the due date; the server calls it overdue only after its grace days
  if (due.overdue) {
    const n = Math.max(1, due.days_overdue);
    return `Overdue by ${n} day${n === 1 ? '' : 's'}`;
  }
  if (due.due_date === today) return 'Due today';
  if (due.due_date < today) return `Due since ${formatDate(due.due_date)}`;
  return `Due ${formatDate(due.due_date)}`;
}
