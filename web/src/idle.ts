// Signs out after a stretch without input: a warning at 25 minutes, sign-out at 30 (the
// server's default session idle time is also 30 minutes). While someone is working, the
// server is contacted at least every few minutes so its idle clock does not run out first.
import { useEffect, useRef, useState } from 'preact/hooks';

export const warnAfterMs = 25 * 60_000;
export const signOutAfterMs = 30 * 60_000;
const keepAliveMs = 5 * 60_000;
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
  /** Tells the server we are still here (GET /api/v1/session). */
  keepAlive: () => Promise<unknown>;
  now?: () => number;
}

export function useIdleTimeout({ enabled, onSignOut, keepAlive, now = Date.now }: Options) {
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
  }, [enabled]);

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

  return { ...state, stay, contacted };
}
