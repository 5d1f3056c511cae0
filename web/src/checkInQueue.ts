// Check-ins kept on the phone until Tend can be reached. A check-in made without a signal (or
// whose POST failed on the network) is stored in localStorage with the Idempotency-Key made
// once when Save was pressed; it is sent again with that same key when the connection returns
// (the browser's online event, the portal opening, and a retry every minute), so the server
// stores it exactly once even when an earlier attempt reached it and only the answer was lost.
//
// An entry leaves the queue only after Tend answered: 2xx (stored), or a 4xx that refuses the
// check-in itself (its reason is kept to show). A 401/403 (the session ended), 408 and 429 keep
// it for later, as do network failures and 5xx.
//
// Each entry belongs to the portal user who made it and is only ever sent in that user's
// session: a phone may be shared. Since the server refuses days more than a week old, an entry
// that could not be sent for that long is dropped with that reason.
//
// The decisions are pure functions over arrays, tested on their own; the store around them
// reads and writes localStorage and tells the pages.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api';
import { addDays, backfillDays, checkInsPath, type CheckIn, type CheckInInput, type CheckInSaved, type Factor } from './checkIns';
import { todayISO } from './format';
import { problemToFormErrors } from './problem';

export interface QueuedCheckIn {
  /** The Idempotency-Key, made once when the client pressed Save. */
  key: string;
  /** The user id of the portal user who made it. */
  owner: string;
  body: CheckInInput;
  /** When it was kept (ISO instant). */
  queued_at: string;
  attempts: number;
}

/** A check-in Tend refused: it leaves the queue, and the client is told why. */
export interface RefusedCheckIn {
  key: string;
  owner: string;
  date: string;
  reason: string;
}

export interface QueueState {
  items: QueuedCheckIn[];
  refused: RefusedCheckIn[];
}

export type SendOutcome = 'sent' | 'refused' | 'retry';

/** What to do with an entry after an answer with this HTTP status (0 = no answer, the network failed). */
export function outcomeOf(status: number): SendOutcome {
  if (status >= 200 && status < 300) return 'sent';
  // the session ended or CSRF is stale: keep it until the client signs in again
  if (status === 401 || status === 403 || status === 408 || status === 429) return 'retry';
  if (status >= 400 && status < 500) return 'refused';
  return 'retry';
}

/**
 * Adds a check-in. A day already waiting for the same person is replaced (saving a day again
 * replaces it on the server too), keeping one entry per day, in the order they were made.
 */
export function enqueue(items: readonly QueuedCheckIn[], entry: QueuedCheckIn): QueuedCheckIn[] {
  return [...items.filter((i) => !(i.owner === entry.owner && i.body.date === entry.body.date)), entry];
}

/** The entries of `owner`, oldest first: only these are sent in that person's session. */
export function pendingFor(items: readonly QueuedCheckIn[], owner: string): QueuedCheckIn[] {
  return items.filter((i) => i.owner === owner);
}

/** Entries whose day is now further back than the server accepts. */
export function isExpired(entry: QueuedCheckIn, today: string): boolean {
  return entry.body.date < addDays(today, -backfillDays);
}

/** The queue after an answer for the entry `key`. */
export function afterAnswer(state: QueueState, key: string, outcome: SendOutcome, reason = ''): QueueState {
  const entry = state.items.find((i) => i.key === key);
  if (!entry) return state;
  if (outcome === 'retry') return { ...state, items: state.items.map((i) => (i.key === key ? { ...i, attempts: i.attempts + 1 } : i)) };
  const items = state.items.filter((i) => i.key !== key);
  if (outcome === 'sent') return { ...state, items };
  return { items, refused: [...state.refused, { key, owner: entry.owner, date: entry.body.date, reason }] };
}

/** Drops the entries too old to be accepted, as refused with that reason. */
export function dropExpired(state: QueueState, today: string): QueueState {
  const old = state.items.filter((i) => isExpired(i, today));
  if (!old.length) return state;
  return {
    items: state.items.filter((i) => !isExpired(i, today)),
    refused: [...state.refused, ...old.map((i) => ({ key: i.key, owner: i.owner, date: i.body.date, reason: `Check-ins can only be sent for the last ${backfillDays} days.` }))],
  };
}

/** Reads the stored queue; anything unreadable counts as empty. */
export function parseQueue(text: string | null): QueueState {
  if (!text) return { items: [], refused: [] };
  try {
    const v = JSON.parse(text) as Partial<QueueState>;
    const items = Array.isArray(v.items) ? v.items.filter((i) => i && typeof i.key === 'string' && typeof i.owner === 'string' && i.body && typeof i.body.date === 'string') : [];
    const refused = Array.isArray(v.refused) ? v.refused.filter((r) => r && typeof r.key === 'string') : [];
    return { items, refused };
  } catch {
    return { items: [], refused: [] };
  }
}

// ---- The store

export const queueStorageKey = 'tend.check-in-queue';
const userStorageKey = 'tend.portal-user';

let state: QueueState | null = null;
const listeners = new Set<() => void>();

function storage(): Storage | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : null;
  } catch {
    return null;
  }
}

function current(): QueueState {
  if (!state) state = parseQueue(storage()?.getItem(queueStorageKey) ?? null);
  return state;
}

function save(next: QueueState) {
  state = next;
  try {
    const s = storage();
    if (next.items.length || next.refused.length) s?.setItem(queueStorageKey, JSON.stringify(next));
    else s?.removeItem(queueStorageKey);
  } catch {
    // storage full or refused: the queue lives in memory for this page
  }
  for (const l of listeners) l();
}

// Another tab of the portal changed the queue: read it again.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => {
    if (e.key !== queueStorageKey) return;
    state = null;
    for (const l of listeners) l();
  });
}

/** Keeps a check-in on this phone to send later. */
export function keep(owner: string, key: string, body: CheckInInput, now: Date = new Date()) {
  save({ ...current(), items: enqueue(current().items, { key, owner, body, queued_at: now.toISOString(), attempts: 0 }) });
}

export function queued(owner: string): QueuedCheckIn[] {
  return pendingFor(current().items, owner);
}

/** The client has read why a check-in was refused. */
export function dismissRefused(key: string) {
  save({ ...current(), refused: current().refused.filter((r) => r.key !== key) });
}

export type Sender = (entry: QueuedCheckIn) => Promise<CheckInSaved>;

/** POST with the entry's own key. */
export const sendOverNetwork: Sender = (entry) => api.post<CheckInSaved>(checkInsPath, entry.body, { 'Idempotency-Key': entry.key });

export interface FlushResult {
  sent: CheckInSaved[];
  refused: RefusedCheckIn[];
  waiting: number;
}

let flushing: Promise<FlushResult> | null = null;
/** Keys of queued check-ins whose sending told the care team (for the page that kept them). */
const alerted = new Set<string>();

export function wasAlerted(key: string): boolean {
  return alerted.has(key);
}

/**
 * Sends `owner`'s waiting check-ins, oldest first, each with its own key. Stops at the first
 * that cannot get through (no network, or the session ended) and leaves the rest for the next
 * try. One flush at a time.
 */
export function flush(owner: string, send: Sender = sendOverNetwork, today: string = todayISO()): Promise<FlushResult> {
  if (flushing) return flushing;
  flushing = (async () => {
    save(dropExpired(current(), today));
    const sent: CheckInSaved[] = [];
    const refused: RefusedCheckIn[] = [];
    for (const entry of pendingFor(current().items, owner)) {
      let status: number;
      let reason = '';
      let answer: CheckInSaved | null = null;
      try {
        answer = await send(entry);
        status = 200;
      } catch (e) {
        status = e instanceof ApiError ? e.status : 0;
        if (e instanceof ApiError) reason = problemToFormErrors(e.problem).summary;
      }
      const outcome = outcomeOf(status);
      if (outcome === 'sent' && answer?.alert_raised) alerted.add(entry.key);
      save(afterAnswer(current(), entry.key, outcome, reason));
      if (outcome === 'sent' && answer) sent.push(answer);
      if (outcome === 'refused') refused.push({ key: entry.key, owner, date: entry.body.date, reason });
      if (outcome === 'retry') break;
    }
    return { sent, refused, waiting: pendingFor(current().items, owner).length };
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}

export const retryEveryMs = 60_000;

/**
 * Sends `owner`'s queue now, whenever the browser says it is back online, and every minute
 * while anything waits. Returns the function that stops it (sign-out, another user).
 */
export function startSync(owner: string, send: Sender = sendOverNetwork): () => void {
  const go = () => {
    if (pendingFor(current().items, owner).length) void flush(owner, send);
  };
  go();
  window.addEventListener('online', go);
  const timer = window.setInterval(go, retryEveryMs);
  return () => {
    window.removeEventListener('online', go);
    window.clearInterval(timer);
  };
}

/** The queue of `owner` as it changes. */
export function useQueue(owner: string | null): { items: QueuedCheckIn[]; refused: RefusedCheckIn[] } {
  const read = () => ({ items: owner ? pendingFor(current().items, owner) : [], refused: owner ? current().refused.filter((r) => r.owner === owner) : [] });
  const [q, setQ] = useState(read);
  useEffect(() => {
    const update = () => setQ(read());
    listeners.add(update);
    update();
    return () => {
      listeners.delete(update);
    };
  }, [owner]);
  return q;
}

// ---- Who this phone's portal belongs to, for a check-in made when the portal opens offline

export interface PortalUser {
  id: string;
  display_name: string;
}

/** Remembered while a client is signed in; forgotten on sign-out (clearPortalData). */
export function rememberPortalUser(u: PortalUser) {
  try {
    storage()?.setItem(userStorageKey, JSON.stringify({ id: u.id, display_name: u.display_name }));
  } catch {
    // not kept: the check-in page needs a signal to open
  }
}

export function rememberedPortalUser(): PortalUser | null {
  try {
    const v = JSON.parse(storage()?.getItem(userStorageKey) ?? 'null') as PortalUser | null;
    return v && typeof v.id === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** Sign-out: forget who the portal was for, the check-in chips (which may hold the client's own words) and the recent check-ins kept here. */
export function forgetPortalUser() {
  try {
    storage()?.removeItem(userStorageKey);
    storage()?.removeItem(factorsKey);
    storage()?.removeItem(recentKey);
  } catch {
    // nothing kept
  }
}

/** The factors list is kept on the phone too, so the check-in page opens offline with its chips. */
const factorsKey = 'tend.check-in-factors';

export function keptFactors(owner: string): Factor[] | null {
  try {
    const v = JSON.parse(storage()?.getItem(factorsKey) ?? 'null') as { owner: string; items: Factor[] } | null;
    return v && v.owner === owner && Array.isArray(v.items) ? v.items : null;
  } catch {
    return null;
  }
}

export function keepFactors(owner: string, items: readonly Factor[]) {
  try {
    storage()?.setItem(factorsKey, JSON.stringify({ owner, items }));
  } catch {
    // not kept: the chips need a signal next time
  }
}

/** For tests: forget the in-memory copy so the next read comes from storage. */
export function resetQueueForTest() {
  state = null;
  flushing = null;
  alerted.clear();
}

/**
 * The client's check-ins of the last days, kept so that changing a day with no signal starts
 * from what was saved (and does not silently drop its note); forgotten on sign-out.
 */
const recentKey = 'tend.check-in-recent';

export function keptRecent(owner: string): CheckIn[] {
  try {
    const v = JSON.parse(storage()?.getItem(recentKey) ?? 'null') as { owner: string; items: CheckIn[] } | null;
    return v && v.owner === owner && Array.isArray(v.items) ? v.items : [];
  } catch {
    return [];
  }
}

export function keepRecent(owner: string, items: readonly CheckIn[]) {
  try {
    storage()?.setItem(recentKey, JSON.stringify({ owner, items }));
  } catch {
    // not kept: changing a day offline starts from an empty form
  }
}
