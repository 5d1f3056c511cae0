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
