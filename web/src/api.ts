// The one place that talks to the Tend API: JSON in and out, the CSRF header on writes, and
// problem+json turned into ApiError.
import { parseProblem, type Problem } from './problem';

const csrfKey = 'tend.csrf';

let csrfToken: string | null = null;

/** Kept in memory, and in sessionStorage so that a reload of this tab keeps working. */
export function setCsrfToken(token: string | null) {
  csrfToken = token;
  try {
    if (token) sessionStorage.setItem(csrfKey, token);
    else sessionStorage.removeItem(csrfKey);
  } catch {
    // storage may be unavailable (private mode); memory is enough for this page
  }
}

export function getCsrfToken(): string | null {
  if (csrfToken) return csrfToken;
  try {
    csrfToken = sessionStorage.getItem(csrfKey);
  } catch {
    csrfToken = null;
  }
  return csrfToken;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }
}

type Unauthorized = () => void;
let onUnauthorized: Unauthorized = () => {};

/** Called when a request other than sign-in answers 401 (the session has ended). */
export function setUnauthorizedHandler(handler: Unauthorized) {
  onUnauthorized = handler;
}

type Activity = () => void;
let onServerContact: Activity = () => {};

/** Called after every answered request; the idle timer uses it (the server's idle clock restarts too). */
export function setServerContactHandler(handler: Activity) {
  onServerContact = handler;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function request<T>(method: Method, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    const token = getCsrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError({ status: 0 });
  }
  onServerContact();
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    const problem = parseProblem(response.status, parsed);
    if (response.status === 401 && !path.startsWith('/api/v1/session')) onUnauthorized();
    throw new ApiError(problem);
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  /** `headers` adds to the usual ones, e.g. Idempotency-Key. */
  post: <T>(path: string, body: unknown = {}, headers?: Record<string, string>) => request<T>('POST', path, body, headers),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T = void>(path: string) => request<T>('DELETE', path),
};

/** Builds a query string, leaving out empty values. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    q.set(key, String(value));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
