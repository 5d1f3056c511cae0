// Signs out after a stretch without input, at the server's session idle time-out (the session
// answer's idle_timeout_seconds; 30 minutes when it is not given). A warning comes 5 minutes
// before, or half-way when the time-out is under 10 minutes. While someone is working, the
// server is contacted regularly so its idle clock does not run out first.
import { useEffect, useRef, useState } from 'preact/hooks';

export const defaultIdleTimeoutSeconds = 30 * 60;

export interface IdleTimings {
  warnAfterMs: number;
  signOutAfterMs: number;
  keepAliveMs: number;
}

/** When to warn, when to sign out and how often to tell the server, for a time-out in seconds. */
export function idleTimings(timeoutSeconds: number = defaultIdleTimeoutSeconds): IdleTimings {
  const seconds = Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds : defaultIdleTimeoutSeconds;
  const signOutAfterMs = seconds * 1000;
  const warnAfterMs = signOutAfterMs < 10 * 60_000 ? signOutAfterMs / 2 : signOutAfterMs - 5 * 60_000;
  return { warnAfterMs, signOutAfterMs, keepAliveMs: Math.min(5 * 60_000, signOutAfterMs / 3) };
}

/** "5 minutes", "1 minute", "90 seconds": for the warning and the sign-in page. */
export function durationWords(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds % 60 !== 0 || seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = seconds / 60;
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

const checkEveryMs = 10_000;
const activityEvents = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

export interface IdleState {
  warning: boolean;
  /** Ms left before sign-out while the warning shows. */
  remainingMs: number;
}

interface Options {
  enabled: boolean;
  onSignOut: () => void;
  /** The server's idle time-out in seconds. */
  timeoutSeconds?: number;
  /** Tells the server we are still here (GET /api/v1/session). */
  keepAlive: () => Promise<unknown>;
  now?: () => number;
}

export function useIdleTimeout({ enabled, onSignOut, keepAlive, timeoutSeconds, now = Date.now }: Options) {
  const { warnAfterMs, signOutAfterMs, keepAliveMs } = idleTimings(timeoutSeconds);
  const lastInput = useRef(now());
  const lastContact = useRef(now());
  const [state, setState] = useState<IdleState>({ warning: false, remainingMs: signOutAfterMs - warnAfterMs });
  const warning = useRef(false);

  useEffect(() => {
    if (!enabled) return;
    lastInput.current = now();
    lastContact.current = now();

    const onInput = () => {
      if (warning.current) return; // only "Stay signed in" ends the warning
      lastInput.current = now();
      if (now() - lastContact.current > keepAliveMs) {
        lastContact.current = now();
        keepAlive().catch(() => {});
      }
    };
    const check = () => {
      const idle = now() - lastInput.current;
      if (idle >= signOutAfterMs) {
        warning.current = false;
        lastInput.current = now(); // once: the app turns the timer off when signed out
        setState({ warning: false, remainingMs: 0 });
        onSignOut();
      } else if (idle >= warnAfterMs) {
        warning.current = true;
        setState({ warning: true, remainingMs: signOutAfterMs - idle });
      }
    };
    for (const e of activityEvents) window.addEventListener(e, onInput, { passive: true, capture: true });
    const timer = window.setInterval(check, checkEveryMs);
    return () => {
      for (const e of activityEvents) window.removeEventListener(e, onInput, { capture: true });
      window.clearInterval(timer);
    };
  }, [enabled, warnAfterMs, signOutAfterMs]);

  /** "Stay signed in": checks the session with the server and starts the clock again. */
  const stay = async () => {
    await keepAlive();
    lastInput.current = now();
    lastContact.current = now();
    warning.current = false;
    setState({ warning: false, remainingMs: signOutAfterMs - warnAfterMs });
  };

  /** Any answered API request counts as contact with the server. */
  const contacted = () => {
    lastContact.current = now();
  };

  return { ...state, stay, contacted, warnAfterMs, signOutAfterMs };
}
