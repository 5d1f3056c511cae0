// What a client needs in a crisis, kept at hand: their safety plan and the crisis lines for
// their region. Read once the portal opens, kept in memory, and kept in the Cache API
// ('tend-portal-data', the same cache the portal's service worker, public/portal-sw.js, falls
// back to), so the help screen shows them at once and with no signal. Nothing else from the API
// is kept. Sign-out empties it: a phone may be shared.
//
// Also the "I need help now" request: its state is shared by the button in the portal's header
// and the help screen.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api';
import { forgetPortalUser } from './checkInQueue';
import type { CrisisResources, SafetyPlan } from './types';

export const planPath = '/api/v1/me/safety-plan';
export const resourcesPath = '/api/v1/me/crisis-resources';
/** Shared with public/portal-sw.js. */
export const dataCache = 'tend-portal-data';
const shellCachePrefix = 'tend-portal';

export interface CrisisData {
  /** undefined: not known yet; null: the client has no safety plan. */
  plan: SafetyPlan | null | undefined;
  resources: CrisisResources | undefined;
  /** The last read reached Tend (false: the copies shown are from this phone). */
  online: boolean;
  loading: boolean;
}

let data: CrisisData = { plan: undefined, resources: undefined, online: true, loading: false };
const listeners = new Set<() => void>();

function set(next: Partial<CrisisData>) {
  data = { ...data, ...next };
  for (const l of listeners) l();
}

function cacheApi(): CacheStorage | null {
  return typeof caches !== 'undefined' ? caches : null;
}

async function remember(path: string, body: unknown) {
  try {
    const c = await cacheApi()?.open(dataCache);
    await c?.put(path, new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } }));
  } catch {
    // no Cache API here (private mode, an insecure origin): memory only
  }
}

async function forget(path: string) {
  try {
    await (await cacheApi()?.open(dataCache))?.delete(path);
  } catch {
    // nothing kept
  }
}

async function fromCache<T>(path: string): Promise<T | undefined> {
  try {
    const hit = await (await cacheApi()?.open(dataCache))?.match(path);
    return hit ? ((await hit.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads one of the two from Tend, or (when Tend cannot be reached) from this phone. */
async function read<T>(path: string): Promise<{ value: T | null | undefined; online: boolean }> {
  try {
    const value = await api.get<T>(path);
    void remember(path, value);
    return { value, online: true };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      void forget(path);
      return { value: null, online: true };
    }
    if (e instanceof ApiError && e.status !== 0 && e.status < 500) return { value: undefined, online: true };
    return { value: await fromCache<T>(path), online: false };
  }
}

let inFlight: Promise<void> | null = null;

/** Reads the plan and the crisis lines (again); what is known stays shown meanwhile. */
export function loadCrisisData(): Promise<void> {
  if (inFlight) return inFlight;
  set({ loading: true });
  inFlight = (async () => {
    const [plan, resources] = await Promise.all([read<SafetyPlan>(planPath), read<CrisisResources>(resourcesPath)]);
    set({
      plan: plan.value === undefined ? data.plan : plan.value,
      resources: resources.value ?? data.resources,
      online: plan.online && resources.online,
      loading: false,
    });
  })().finally(() => {
    inFlight = null;
  });
  return inFlight;
}

/** After the client saved their plan. */
export function planSaved(plan: SafetyPlan) {
  set({ plan });
  void remember(planPath, plan);
}

export function getCrisisData(): CrisisData {
  return data;
}

/** The plan and lines as known now; loads them when `load` (once per mount). */
export function useCrisisData(load = true): CrisisData {
  const [d, setD] = useState(data);
  useEffect(() => {
    const update = () => setD(data);
    listeners.add(update);
    update();
    if (load) void loadCrisisData();
    return () => {
      listeners.delete(update);
    };
  }, []);
  return d;
}

/** Sign-out: forget the plan and lines here and on the phone (every portal cache). */
export async function clearPortalData() {
  data = { plan: undefined, resources: undefined, online: true, loading: false };
  helpState = { state: 'idle' };
  for (const l of listeners) l();
  // who the offline check-in page is for, and the check-in chips (which may hold the client's own words)
  forgetPortalUser();
  const c = cacheApi();
  if (!c) return;
  try {
    for (const key of await c.keys()) if (key.startsWith(shellCachePrefix)) await c.delete(key);
  } catch {
    // nothing kept
  }
}

// ---- "I need help now"

export type HelpState = { state: 'idle' } | { state: 'sending' } | { state: 'sent'; message: string } | { state: 'failed' };

let helpState: HelpState = { state: 'idle' };

function setHelp(next: HelpState) {
  helpState = next;
  for (const l of listeners) l();
}

/** Tells the care team at once (POST /api/v1/me/help-now); the screen does not wait for it. */
export async function requestHelp(): Promise<void> {
  if (helpState.state === 'sending') return;
  setHelp({ state: 'sending' });
  try {
    const answer = await api.post<{ alert_id?: string; message?: string }>('/api/v1/me/help-now', {});
    setHelp({ state: 'sent', message: answer?.message ?? '' });
  } catch {
    setHelp({ state: 'failed' });
  }
}

export function useHelpNow(): HelpState {
  const [h, setH] = useState(helpState);
  useEffect(() => {
    const update = () => setH(helpState);
    listeners.add(update);
    update();
    return () => {
      listeners.delete(update);
    };
  }, []);
  return h;
}

/** For tests. */
export function resetPortalDataForTest() {
  data = { plan: undefined, resources: undefined, online: true, loading: false };
  helpState = { state: 'idle' };
  inFlight = null;
}

/** Registers the portal's service worker (offline safety plan and crisis lines). */
export function registerPortalWorker() {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/portal-sw.js', { scope: '/portal' }).catch(() => {
    // not available (an insecure origin, private mode): the portal works online as before
  });
}
