import { act, cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signOutAfterMs, useIdleTimeout, warnAfterMs } from './idle';

function Probe({ onSignOut, keepAlive }: { onSignOut: () => void; keepAlive: () => Promise<unknown> }) {
  const idle = useIdleTimeout({ enabled: true, onSignOut, keepAlive });
  return (
    <div>
      <p data-testid="state">{idle.warning ? 'warning' : 'quiet'}</p>
      <button type="button" onClick={() => void idle.stay()}>
        Stay signed in
      </button>
    </div>
  );
}

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
});
