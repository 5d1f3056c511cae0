import { act, cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { durationWords, idleTimings, useIdleTimeout } from './idle';

const { warnAfterMs, signOutAfterMs } = idleTimings();

function Probe({ onSignOut, keepAlive, timeoutSeconds }: { onSignOut: () => void; keepAlive: () => Promise<unknown>; timeoutSeconds?: number }) {
  const idle = useIdleTimeout({ enabled: true, onSignOut, keepAlive, timeoutSeconds });
  return (
    <div>
      <p data-testid="state">{idle.warning ? 'warning' : 'quiet'}</p>
      <button type="button" onClick={() => void idle.stay()}>
        Stay signed in
      </button>
    </div>
  );
}

describe('idle timings', () => {
  it('warn five minutes before the server’s time-out, or half-way when it is under ten minutes', () => {
    expect(idleTimings()).toMatchObject({ warnAfterMs: 25 * 60_000, signOutAfterMs: 30 * 60_000 });
    expect(idleTimings(1800)).toMatchObject({ warnAfterMs: 25 * 60_000, signOutAfterMs: 30 * 60_000 });
    expect(idleTimings(3600)).toMatchObject({ warnAfterMs: 55 * 60_000, signOutAfterMs: 60 * 60_000 });
    expect(idleTimings(600)).toMatchObject({ warnAfterMs: 5 * 60_000, signOutAfterMs: 10 * 60_000 });
    expect(idleTimings(480)).toMatchObject({ warnAfterMs: 4 * 60_000, signOutAfterMs: 8 * 60_000 });
    expect(idleTimings(0)).toMatchObject({ signOutAfterMs: 30 * 60_000 });
  });

  it('says durations in words', () => {
    expect(durationWords(5 * 60_000)).toBe('5 minutes');
    expect(durationWords(60_000)).toBe('1 minute');
    expect(durationWords(90_000)).toBe('90 seconds');
  });
});

describe('idle time-out', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('warns at 25 minutes and signs out at 30', async () => {
    const onSignOut = vi.fn();
    render(<Probe onSignOut={onSignOut} keepAlive={async () => {}} />);
    await act(() => void vi.advanceTimersByTime(warnAfterMs - 20_000));
    expect(screen.getByTestId('state').textContent).toBe('quiet');
    await act(() => void vi.advanceTimersByTime(30_000));
    expect(screen.getByTestId('state').textContent).toBe('warning');
    // typing while warned does not silently extend the session
    fireEvent.keyDown(window, { key: 'a' });
    await act(() => void vi.advanceTimersByTime(signOutAfterMs - warnAfterMs));
    expect(onSignOut).toHaveBeenCalledTimes(1);
  });

  it('input restarts the clock, and “Stay signed in” asks the server', async () => {
    const onSignOut = vi.fn();
    const keepAlive = vi.fn(async () => {});
    render(<Probe onSignOut={onSignOut} keepAlive={keepAlive} />);
    await act(() => void vi.advanceTimersByTime(20 * 60_000));
    fireEvent.pointerDown(window);
    await act(() => void vi.advanceTimersByTime(20 * 60_000));
    expect(screen.getByTestId('state').textContent).toBe('quiet');
    // more than five minutes since the server last heard from us: input keeps its session alive
    expect(keepAlive).toHaveBeenCalledTimes(1);
    await act(() => void vi.advanceTimersByTime(6 * 60_000));
    expect(screen.getByTestId('state').textContent).toBe('warning');
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Stay signed in' }));
    });
    expect(keepAlive).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('state').textContent).toBe('quiet');
    await act(() => void vi.advanceTimersByTime(warnAfterMs - 20_000));
    expect(onSignOut).not.toHaveBeenCalled();
  });

  it('follows the server’s time-out: 8 minutes warns at 4 and signs out at 8', async () => {
    const onSignOut = vi.fn();
    render(<Probe onSignOut={onSignOut} keepAlive={async () => {}} timeoutSeconds={480} />);
    await act(() => void vi.advanceTimersByTime(4 * 60_000 - 20_000));
    expect(screen.getByTestId('state').textContent).toBe('quiet');
    await act(() => void vi.advanceTimersByTime(30_000));
    expect(screen.getByTestId('state').textContent).toBe('warning');
    await act(() => void vi.advanceTimersByTime(3 * 60_000));
    expect(onSignOut).not.toHaveBeenCalled();
    await act(() => void vi.advanceTimersByTime(60_000));
    expect(onSignOut).toHaveBeenCalledTimes(1);
  });
});
