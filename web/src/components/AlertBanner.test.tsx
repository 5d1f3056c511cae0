import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { followAlerts } from '../alertStore';
import { resetToneForTest } from '../alertSound';
import { emitForTest } from '../events';
import { alert, FakeAudioContext, json } from '../fixtures';
import type { Alert } from '../types';
import { AlertBanner } from './AlertBanner';

let stop: () => void = () => {};

beforeEach(() => {
  localStorage.clear();
  FakeAudioContext.made = [];
  resetToneForTest();
  vi.stubGlobal('AudioContext', FakeAudioContext);
});

afterEach(() => {
  stop();
  cleanup();
});

/** The server: the open alerts, one alert by id, and acknowledge. */
function server(alerts: Alert[]) {
  const byId = new Map(alerts.map((a) => [a.id, a]));
  const calls: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      calls.push(`${init.method} ${url}`);
      if (url.startsWith('/api/v1/alerts?')) return json({ items: [...byId.values()].filter((a) => a.status === 'open'), next_cursor: null });
      const ack = /^\/api\/v1\/alerts\/([^/]+)\/acknowledge$/.exec(url);
      if (ack) {
        const a = { ...byId.get(ack[1])!, status: 'acknowledged' as const, acknowledged_by: { id: 'us_1', name: 'Chidi Okafor' } };
        byId.set(a.id, a);
        return json(a);
      }
      const one = /^\/api\/v1\/alerts\/([^/]+)$/.exec(url);
      if (one && byId.has(one[1])) return json(byId.get(one[1]));
      return json({ status: 404 }, 404);
    }),
  );
  return { calls, add: (a: Alert) => byId.set(a.id, a) };
}

const tones = () => FakeAudioContext.made.reduce((n, c) => n + c.tones, 0);

describe('the crisis banner', () => {
  it('shows open alerts from before the page opened, with the level in words, the client and the reason', async () => {
    server([alert('al_1', { level: 'imminent' }), alert('al_2', { level: 'moderate', client_name: 'Bo Diddley', reason: 'Raised by a clinician' })]);
    stop = followAlerts('us_1');
    render(<AlertBanner />);
    const lines = await screen.findAllByRole('alert');
    expect(lines.map((l) => l.textContent)).toEqual([
      'Imminent risk: Ada Lovelace — PHQ-9 item 9: thoughts of death or self-harm',
      'Moderate risk: Bo Diddley — Raised by a clinician',
    ]);
    expect(document.querySelector('[data-alert-id="al_1"]')!.className).toContain('crisis-alert--red');
    expect(document.querySelector('[data-alert-id="al_2"]')!.className).toContain('crisis-alert--amber');
    expect(document.body.textContent).toMatch(/Acknowledge within \d+ min/);
    expect(screen.getByRole('link', { name: 'Open the alert for Ada Lovelace' }).getAttribute('href')).toBe('/alerts/al_1');
  });

  it('leaves out alerts this person was not told about', async () => {
    server([alert('al_1', { notified: [{ id: 'us_9', name: 'Someone else' }] })]);
    stop = followAlerts('us_1');
    render(<AlertBanner />);
    await waitFor(() => expect(vi.mocked(fetch)).toHaveBeenCalled());
    await act(async () => {});
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('comes with a crisis.alert event and goes with crisis.updated (resolved)', async () => {
    const s = server([]);
    stop = followAlerts('us_1');
    render(<AlertBanner />);
    await act(async () => {});
    s.add(alert('al_3', { notified: [] }));
    await act(async () => emitForTest('crisis.alert', { alert_id: 'al_3', client_id: 'cl_1', level: 'high', status: 'open' }));
    expect((await screen.findByRole('alert')).textContent).toContain('High risk: Ada Lovelace');
    expect(s.calls).toContain('GET /api/v1/alerts/al_3');
    await act(async () => emitForTest('crisis.updated', { alert_id: 'al_3', client_id: 'cl_1', level: 'high', status: 'resolved' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('sounds for a high alert once the browser allows it, and the choice to mute is remembered', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      server([alert('al_1', { level: 'high' })]);
      stop = followAlerts('us_1');
      render(<AlertBanner />);
      await screen.findByRole('alert');
      // no click on the page yet: the browser keeps audio suspended, and the banner says so
      const enable = await screen.findByRole('button', { name: 'Click to enable sound' });
      expect(tones()).toBe(0);
      await act(async () => {
        fireEvent.click(enable);
      });
      await waitFor(() => expect(tones()).toBeGreaterThan(0));
      expect(screen.queryByRole('button', { name: 'Click to enable sound' })).toBeNull();
      const before = tones();
      await act(async () => {
        vi.advanceTimersByTime(4000);
      });
      expect(tones()).toBeGreaterThan(before);

      fireEvent.click(screen.getByRole('button', { name: 'Sound: on' }));
      expect(localStorage.getItem('tend.alertSound')).toBe('off');
      screen.getByRole('button', { name: 'Sound: off' });
      const muted = tones();
      await act(async () => {
        vi.advanceTimersByTime(12_000);
      });
      expect(tones()).toBe(muted);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stays quiet when sound was turned off before, and for a moderate alert', async () => {
    localStorage.setItem('tend.alertSound', 'off');
    server([alert('al_1', { level: 'imminent' })]);
    stop = followAlerts('us_1');
    render(<AlertBanner />);
    await screen.findByRole('alert');
    screen.getByRole('button', { name: 'Sound: off' });
    expect(screen.queryByRole('button', { name: 'Click to enable sound' })).toBeNull();
    expect(tones()).toBe(0);
  });

  it('acknowledges: the alert leaves the banner', async () => {
    const s = server([alert('al_1')]);
    stop = followAlerts('us_1');
    render(<AlertBanner />);
    await screen.findByRole('alert');
    fireEvent.click(screen.getByRole('button', { name: 'Acknowledge the alert for Ada Lovelace' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(s.calls).toContain('POST /api/v1/alerts/al_1/acknowledge');
  });
});
