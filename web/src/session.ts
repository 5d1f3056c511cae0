// Who is signed in. One small store that the app shell and pages read with useSession().
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, setCsrfToken } from './api';
import { clearPortalData } from './portalData';
import type { SessionAnswer, SignInAnswer, User } from './types';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason?: 'idle' | 'expired' | 'signed-out' }
  | { status: 'second-factor'; user: User }
  | { status: 'signed-in'; user: User; idleTimeoutSeconds?: number };

let state: SessionState = { status: 'loading' };
/** The server's idle time-out as last told (kept after sign-out for the sign-in page's message). */
let idleTimeoutSeconds: number | undefined;

export function getIdleTimeoutSeconds(): number | undefined {
  return idleTimeoutSeconds;
}

function rememberIdle(seconds: number | undefined): number | undefined {
  if (typeof seconds === 'number' && seconds > 0) idleTimeoutSeconds = seconds;
  return idleTimeoutSeconds;
}
const listeners = new Set<(s: SessionState) => void>();

function set(next: SessionState) {
  state = next;
  for (const l of listeners) l(state);
}

export function getSession(): SessionState {
  return state;
}

export function useSession(): SessionState {
  const [s, setS] = useState(state);
  useEffect(() => {
    listeners.add(setS);
    setS(state);
    return () => {
      listeners.delete(setS);
    };
  }, []);
  return s;
}

/** Asks the server who is signed in (GET /api/v1/session); 401 means nobody. */
export async function loadSession(): Promise<SessionState> {
  try {
    const answer = await api.get<SessionAnswer>('/api/v1/session');
    setCsrfToken(answer.csrf_token);
    set({ status: 'signed-in', user: answer.user, idleTimeoutSeconds: rememberIdle(answer.idle_timeout_seconds) });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      setCsrfToken(null);
      set({ status: 'signed-out' });
    } else {
      throw e;
    }
  }
  return state;
}

/** POST /api/v1/session. Resolves to the new state; a second factor may still be owed. */
export async function signIn(username: string, password: string): Promise<SessionState> {
  const answer = await api.post<SignInAnswer>('/api/v1/session', { username, password });
  setCsrfToken(answer.csrf_token);
  const idle = rememberIdle(answer.idle_timeout_seconds);
  set(answer.mfa_required ? { status: 'second-factor', user: answer.user } : { status: 'signed-in', user: answer.user, idleTimeoutSeconds: idle });
  return state;
}

/** A session the server started another way (an accepted portal invitation answers like sign-in). */
export function adoptSignIn(answer: SignInAnswer): SessionState {
  setCsrfToken(answer.csrf_token);
  set({ status: 'signed-in', user: answer.user, idleTimeoutSeconds: rememberIdle(answer.idle_timeout_seconds) });
  return state;
}

/** POST /api/v1/session/totp with an authenticator or recovery code. */
export async function completeSecondFactor(code: string): Promise<SessionState> {
  const answer = await api.post<Partial<SignInAnswer>>('/api/v1/session/totp', { code });
  if (answer?.csrf_token) setCsrfToken(answer.csrf_token);
  if (answer?.user) set({ status: 'signed-in', user: answer.user, idleTimeoutSeconds: rememberIdle(answer.idle_timeout_seconds) });
  else await loadSession();
  return state;
}

/** DELETE /api/v1/session; the local state is cleared even when the server cannot be reached. */
export async function signOut(reason: 'idle' | 'signed-out' = 'signed-out') {
  try {
    await api.delete('/api/v1/session');
  } catch {
    // already signed out, or offline: forget the session here anyway
  }
  setCsrfToken(null);
  // the safety plan and crisis lines kept for offline use: a phone may be shared
  await clearPortalData();
  set({ status: 'signed-out', reason });
}

/** The server said 401 to some request: the session has ended. */
export function sessionEnded() {
  if (state.status === 'signed-in') {
    setCsrfToken(null);
    void clearPortalData();
    set({ status: 'signed-out', reason: 'expired' });
  }
}

/** For tests. */
export function setSessionForTest(next: SessionState) {
  set(next);
}

export const isStaff = (user: User) => user.role !== 'client' && user.role !== 'guardian';
export const isAdmin = (user: User) => user.role === 'admin';
/** Roles that may open a record with break-the-glass; the server decides in the end. */
export const mayBreakGlass = (user: User) =>
  ['clinician', 'prescriber', 'care_manager', 'peer_support'].includes(user.role);
