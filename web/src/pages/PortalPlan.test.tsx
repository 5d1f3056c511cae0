import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json } from '../fixtures';
import type { Discharge } from '../plans';
import { relapsePath, StayingWellPage } from './PortalPlan';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const discharge: Discharge = {
  episode_id: 'ep_1',
  client_id: 'cl_1',
  program: 'Adult counselling',
  ended_on: '2026-11-02',
  reason: '',
  what_helped: '',
  recommendations: '',
  outcomes: [],
  relapse: { warning_signs: ['Staying in bed'], what_helps: ['A walk each morning'], contacts: ['My sister Sam'], coming_back: 'Call the service.' },
  written_by: { id: 'us_1', name: 'Dr Rivers' },
  updated_at: '2026-11-02T10:00:00Z',
  version: 1,
};

/** A Cache API that keeps responses in memory, as the phone's would. */
function memoryCaches() {
  const kept = new Map<string, string>();
  const cache = {
    put: async (key: string, r: Response) => void kept.set(key, await r.text()),
    match: async (key: string) => (kept.has(key) ? new Response(kept.get(key)) : undefined),
  };
  return { kept, caches: { open: async () => cache } };
}

describe('staying well in the portal', () => {
  it('shows the relapse prevention plan and keeps it on the phone', async () => {
    const mem = memoryCaches();
    vi.stubGlobal('caches', mem.caches);
    vi.stubGlobal('fetch', vi.fn(async () => json(discharge)));
    render(<StayingWellPage />);
    expect(await screen.findByText('Staying in bed')).toBeTruthy();
    expect(screen.getByText('Call the service.')).toBeTruthy();
    await vi.waitFor(() => expect(mem.kept.has(relapsePath)).toBe(true));
  });

  it('opens the copy on the phone when Tend cannot be reached, and says so', async () => {
    const mem = memoryCaches();
    mem.kept.set(relapsePath, JSON.stringify(discharge));
    vi.stubGlobal('caches', mem.caches);
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('offline'))));
    render(<StayingWellPage />);
    expect(await screen.findByText('A walk each morning')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toMatch(/offline: this is the copy kept on this phone/);
  });

  it('says when there is no plan yet, and when there is neither signal nor a copy', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ status: 404, detail: 'not found' }), { status: 404, headers: { 'Content-Type': 'application/problem+json' } })));
    render(<StayingWellPage />);
    expect(await screen.findByText(/written with your clinician when your treatment ends/)).toBeTruthy();
    cleanup();
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('offline'))));
    render(<StayingWellPage />);
    expect(await screen.findByText(/your plan is not on this phone yet/)).toBeTruthy();
  });
});
