// The alert tone: a short two-note beep made with the Web Audio API (no audio files; the CSP
// allows none from elsewhere anyway), repeated every few seconds while an imminent or high
// alert waits for someone to acknowledge it.
//
// Browsers start an AudioContext "suspended" until the page has had a click or a key press
// (Chrome's autoplay policy: https://developer.chrome.com/blog/autoplay/#web-audio). So the
// context is resumed on the first pointerdown or keydown anywhere, and until then the banner
// offers "Click to enable sound". Whether sound is wanted is remembered in localStorage.
import { useEffect, useState } from 'preact/hooks';

const preferenceKey = 'tend.alertSound';
/** Time between tones while an alert sounds. */
export const repeatMs = 4000;

/** Sound on unless this browser was told otherwise. */
export function soundWanted(): boolean {
  try {
    return localStorage.getItem(preferenceKey) !== 'off';
  } catch {
    return true;
  }
}

export function setSoundWanted(on: boolean) {
  try {
    localStorage.setItem(preferenceKey, on ? 'on' : 'off');
  } catch {
    // storage unavailable: the choice holds for this page only
  }
}

type Ctor = typeof AudioContext;

function audioContextClass(): Ctor | null {
  const w = globalThis as unknown as { AudioContext?: Ctor; webkitAudioContext?: Ctor };
  return w.AudioContext ?? w.webkitAudioContext ?? null;
}

let context: AudioContext | null = null;
const listeners = new Set<() => void>();

function changed() {
  for (const l of listeners) l();
}

/** 'unsupported' (no Web Audio), 'blocked' (waiting for a gesture) or 'ready'. */
export type ToneState = 'unsupported' | 'blocked' | 'ready';

export function toneState(): ToneState {
  if (!audioContextClass()) return 'unsupported';
  return context?.state === 'running' ? 'ready' : 'blocked';
}

function ensureContext(): AudioContext | null {
  if (context) return context;
  const C = audioContextClass();
  if (!C) return null;
  try {
    context = new C();
    context.onstatechange = changed;
  } catch {
    context = null;
  }
  return context;
}

/** Call from a user gesture: makes (or resumes) the context so later tones can play. */
export function unlockTone() {
  const c = ensureContext();
  if (!c) return;
  if (c.state !== 'running') {
    c.resume().then(changed, () => {});
  }
  changed();
}

/** Plays one tone now if the browser lets it; returns whether it could. */
export function playTone(): boolean {
  const c = ensureContext();
  if (!c || c.state !== 'running') return false;
  const start = c.currentTime + 0.01;
  // two short notes, high then lower: distinct from the usual notification chimes
  for (const [offset, frequency] of [
    [0, 880],
    [0.22, 660],
  ] as const) {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = 'square';
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.18);
    osc.connect(gain).connect(c.destination);
    osc.start(start + offset);
    osc.stop(start + offset + 0.2);
  }
  return true;
}

/** For tests: forget the context. */
export function resetToneForTest() {
  context = null;
  changed();
}

export interface AlertSound {
  /** The person wants sound (remembered in this browser). */
  on: boolean;
  toggle: () => void;
  /** Sound is wanted and something is sounding, but the browser waits for a click. */
  blocked: boolean;
  unsupported: boolean;
  enable: () => void;
}

/** Sounds the tone every few seconds while `sounding`; unlocks audio on the first gesture. */
export function useAlertSound(sounding: boolean): AlertSound {
  const [on, setOn] = useState(soundWanted);
  const [state, setState] = useState<ToneState>(toneState);

  useEffect(() => {
    const update = () => setState(toneState());
    listeners.add(update);
    const gesture = () => {
      unlockTone();
      update();
    };
    document.addEventListener('pointerdown', gesture, true);
    document.addEventListener('keydown', gesture, true);
    return () => {
      listeners.delete(update);
      document.removeEventListener('pointerdown', gesture, true);
      document.removeEventListener('keydown', gesture, true);
    };
  }, []);

  const ready = state === 'ready';
  useEffect(() => {
    if (!sounding || !on) return;
    // A context made before any gesture starts suspended: it says "blocked" until a click,
    // and this runs again (sounding at once) when the click has unlocked it.
    ensureContext();
    setState(toneState());
    playTone();
    const timer = window.setInterval(() => {
      if (!playTone()) setState(toneState());
    }, repeatMs);
    return () => window.clearInterval(timer);
  }, [sounding, on, ready]);

  return {
    on,
    toggle: () => {
      const next = !on;
      setSoundWanted(next);
      setOn(next);
      if (next) unlockTone();
    },
    blocked: on && sounding && state === 'blocked',
    unsupported: state === 'unsupported',
    enable: () => {
      unlockTone();
      setState(toneState());
    },
  };
}
