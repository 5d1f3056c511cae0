// The open crisis alerts this person can see, kept up to date from the live events, for the
// banner on every staff page, the navigation's count and the home page. Events carry ids and
// states only, so each alert is read through the API (GET /api/v1/alerts/{id}) for its client
// name and reason.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api';
import { sortAlerts } from './crisis';
import { onEvent } from './events';
import type { Alert, Page } from './types';

interface State {
  alerts: Map<string, Alert>;
  /** Alerts a crisis.alert event told this person about (they were notified). */
  mine: Set<string>;
  me: string | null;
  loaded: boolean;
}

let state: State = { alerts: new Map(), mine: new Set(), me: null, loaded: false };
const listeners = new Set<() => void>();

function changed() {
  state = { ...state };
  for (const l of listeners) l();
}

function put(alert: Alert) {
  if (alert.status === 'open') state.alerts.set(alert.id, alert);
  else state.alerts.delete(alert.id);
  changed();
}

function drop(id: string) {
  if (state.alerts.delete(id)) changed();
}

async function refresh(id: string) {
  try {
    put(await api.get<Alert>(`/api/v1/alerts/${encodeURIComponent(id)}`));
  } catch (e) {
    // gone from view (404): not ours to show; otherwise keep what we had and wait for the next event
    if (e instanceof ApiError && e.status === 404) drop(id);
  }
}

/** Reads the open alerts (so those raised while the page was closed show at once). */
export async function loadOpenAlerts() {
  try {
    const page = await api.get<Page<Alert>>('/api/v1/alerts?status=open&limit=100');
    state.alerts = new Map(page.items.filter((a) => a.status === 'open').map((a) => [a.id, a]));
    state.loaded = true;
    changed();
  } catch {
    // the events will bring them, and the next page load tries again
  }
}

/**
 * Starts following alerts for the signed-in staff member `me` (a user id): the open ones now,
 * then crisis.alert and crisis.updated. Returns the stop function, which forgets them.
 */
export function followAlerts(me: string): () => void {
  state = { alerts: new Map(), mine: new Set(), me, loaded: false };
  changed();
  const offAlert = onEvent('crisis.alert', (d) => {
    const id = String(d.alert_id ?? '');
    if (!id) return;
    state.mine.add(id);
    void refresh(id);
  });
  const offUpdated = onEvent('crisis.updated', (d) => {
    const id = String(d.alert_id ?? '');
    if (!id) return;
    // acknowledged or resolved: the banner goes at once, without waiting for a read
    if (d.status && d.status !== 'open') drop(id);
    else void refresh(id);
  });
  void loadOpenAlerts();
  return () => {
    offAlert();
    offUpdated();
    state = { alerts: new Map(), mine: new Set(), me: null, loaded: false };
    changed();
  };
}

/** After acknowledging here: the answer replaces the alert (and takes it off the banner). */
export function alertChanged(alert: Alert) {
  put(alert);
}

/** Was this person told about the alert (the banner's alerts)? */
export function notifiedMe(alert: Alert, s: Pick<State, 'mine' | 'me'> = state): boolean {
  if (s.mine.has(alert.id)) return true;
  // an older answer without `notified`: every open alert they can see
  if (!alert.notified) return true;
  return !!s.me && alert.notified.some((p) => p.id === s.me);
}

export interface OpenAlerts {
  /** Every open alert this person can see, most urgent first. */
  open: Alert[];
  /** Those they were notified of: the banner. */
  mine: Alert[];
  loaded: boolean;
}

export function useOpenAlerts(): OpenAlerts {
  const [s, setS] = useState(state);
  useEffect(() => {
    const update = () => setS(state);
    listeners.add(update);
    update();
    return () => {
      listeners.delete(update);
    };
  }, []);
  const open = sortAlerts([...s.alerts.values()]);
  return { open, mine: open.filter((a) => notifiedMe(a, s)), loaded: s.loaded };
}
