import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { json, phq9, safetyPlan } from '../fixtures';
import { clearPortalData, dataCache, loadCrisisData, planPath, resetPortalDataForTest, resourcesPath } from '../portalData';
import type { User } from '../types';
import { PortalQuestionnaire } from './Portal';
import { HelpNowButton, HelpNowPage } from './PortalCrisis';

const me: User = {
  id: 'us_c',
  username: 'ada',
  display_name: 'Ada',
  role: 'client',
  email: null,
  disabled: false,
  totp_enabled: false,
  client_id: 'cl_1',
  created_at: '2026-01-01T00:00:00Z',
};

const resources = {
  region: 'GB',
  name: 'United Kingdom',
  emergency: { number: '999', label: 'Emergency services' },
  lines: [
    { name: 'Samaritans', phone: '116 123', hours: '24/7', description: 'Call free, day or night.' },
    { name: 'Shout', text: '85258', text_body: 'SHOUT', hours: '24/7', description: 'Text SHOUT to 85258.' },
  ],
};

/** A stand-in for the Cache API (happy-dom has none): what the service worker would keep. */
function fakeCaches() {
  const stores = new Map<string, Map<string, string>>();
  const open = async (name: string) => {
    if (!stores.has(name)) stores.set(name, new Map());
    const store = stores.get(name)!;
    return {
      put: async (key: string, response: Response) => void store.set(key, await response.text()),
      match: async (key: string) => (store.has(key) ? new Response(store.get(key)) : undefined),
      delete: async (key: string) => store.delete(key),
    };
  };
  const storage = { open, keys: async () => [...stores.keys()], delete: async (name: string) => stores.delete(name) };
  vi.stubGlobal('caches', storage);
  return stores;
}

const offline = () => Promise.reject(new TypeError('Failed to fetch'));

beforeEach(() => {
  resetPortalDataForTest();
  window.history.replaceState(null, '', '/portal');
});
afterEach(cleanup);

describe('the risk screen after a questionnaire', () => {
  async function answerItemNine(value: string) {
    fireEvent.click(await screen.findByRole('button', { name: 'Start' }));
    for (const label of ['Not at all', 'Not at all', value]) {
      const r = screen.getByRole('radio', { name: label });
      fireEvent.pointerDown(r);
      fireEvent.click(r);
    }
    fireEvent.click(screen.getByRole('button', { name: 'Send my answers' }));
  }

  it('shows the safety plan and crisis lines at once, while the submission still hangs', async () => {
    let posted = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string, init: RequestInit) => {
        if (url === planPath) return Promise.resolve(json(safetyPlan(1)));
        if (url === resourcesPath) return Promise.resolve(json(resources));
        if (init.method === 'GET') return Promise.resolve(json(phq9()));
        posted += 1;
        return new Promise<Response>(() => {}); // never answers
      }),
    );
    await loadCrisisData();
    render(<PortalQuestionnaire user={me} instrumentId="phq-9" />);
    await answerItemNine('More than half the days');
    await screen.findByRole('heading', { name: 'Thank you for telling us how things are' });
    expect(screen.getByRole('status').textContent).toBe('Sending your answers to your care team…');
    expect(screen.getByRole('link', { name: 'Call 999' }).getAttribute('href')).toBe('tel:999');
    expect(screen.getByRole('link', { name: 'Text 85258: Shout' }).getAttribute('href')).toBe('sms:85258?body=SHOUT');
    expect(document.querySelector('.my-plan')!.textContent).toContain('Not sleeping');
    expect(posted).toBe(1);
  });

  it('when the network fails: says so, keeps the answers and sends them again with the same key', async () => {
    const keys: string[] = [];
    let fail = true;
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string, init: RequestInit) => {
        if (url === planPath) return Promise.resolve(json(safetyPlan(1)));
        if (url === resourcesPath) return Promise.resolve(json(resources));
        if (init.method === 'GET') return Promise.resolve(json(phq9()));
        keys.push((init.headers as Record<string, string>)['Idempotency-Key']);
        return fail ? offline() : Promise.resolve(json({ ...phq9(), flags: [], band: null }, 201));
      }),
    );
    await loadCrisisData();
    render(<PortalQuestionnaire user={me} instrumentId="phq-9" />);
    await answerItemNine('Several days');
    await screen.findByText(/We could not reach Tend, so your answers have not been sent yet/);
    expect(document.querySelector('.crisis-lines')!.textContent).toContain('Samaritans');
    expect(document.body.textContent).not.toMatch(/Thank you\. Your answers have been sent/);
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try sending again' }));
    await screen.findByText(/Your answers have reached your care team/);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it('without the crisis lines on this phone, still says what to do', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string, init: RequestInit) => (url.startsWith('/api/v1/me/') ? offline() : init.method === 'GET' ? Promise.resolve(json(phq9())) : offline())),
    );
    render(<PortalQuestionnaire user={me} instrumentId="phq-9" />);
    await answerItemNine('Nearly every day');
    await screen.findByRole('heading', { name: 'Thank you for telling us how things are' });
    expect(document.querySelector('.crisis-lines')!.textContent).toMatch(/local emergency number.*911.*999/);
  });
});

describe('I need help now', () => {
  it('shows the plan and lines from this phone at once, then says the care team was told', async () => {
    let answer: (r: Response) => void = () => {};
    const posts: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string, init: RequestInit) => {
        if (url === planPath) return Promise.resolve(json(safetyPlan(1)));
        if (url === resourcesPath) return Promise.resolve(json(resources));
        posts.push(`${init.method} ${url}`);
        return new Promise<Response>((ok) => (answer = ok));
      }),
    );
    await loadCrisisData();
    render(
      <>
        <HelpNowButton />
        <HelpNowPage />
      </>,
    );
    fireEvent.click(screen.getByRole('link', { name: 'I need help now' }));
    expect(window.location.pathname).toBe('/portal/help');
    expect(posts).toEqual(['POST /api/v1/me/help-now']);
    // before Tend has answered: the lines and the plan are already there
    expect(screen.getByRole('status').textContent).toBe('Telling your care team…');
    expect(screen.getByRole('link', { name: 'Call 116 123: Samaritans' }).getAttribute('href')).toBe('tel:116123');
    expect(document.querySelector('.my-plan')!.textContent).toContain('Sam (sister)');
    await act(async () => answer(json({ alert_id: 'al_1', message: 'Your care team has been told.' }, 201)));
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Your care team has been told.'));
  });

  it('with no signal: the copies kept on this phone, and “please call one of these numbers”', async () => {
    const stores = fakeCaches();
    // opened once with signal: the plan and lines were kept
    vi.stubGlobal('fetch', vi.fn((url: string) => Promise.resolve(json(url === planPath ? safetyPlan(4, ['Pacing at night']) : resources))));
    await loadCrisisData();
    await waitFor(() => expect(stores.get(dataCache)?.size).toBe(2));
    // later, a fresh page with no signal at all
    resetPortalDataForTest();
    vi.stubGlobal('fetch', vi.fn(offline));
    render(<HelpNowPage />);
    await screen.findByText('Pacing at night');
    expect(screen.getByRole('link', { name: 'Call 999' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Tell my care team' }));
    await screen.findByText('We could not reach Tend — please call one of these numbers.');
    screen.getByRole('button', { name: 'Try telling my care team again' });
  });

  it('sign-out empties what was kept on this phone', async () => {
    const stores = fakeCaches();
    stores.set('tend-portal-shell-v1', new Map([['/portal', '<html>']]));
    stores.set('other-app', new Map());
    vi.stubGlobal('fetch', vi.fn((url: string) => Promise.resolve(json(url === planPath ? safetyPlan(1) : resources))));
    await loadCrisisData();
    await waitFor(() => expect(stores.get(dataCache)?.size).toBe(2));
    await clearPortalData();
    expect([...stores.keys()]).toEqual(['other-app']);
  });
});
