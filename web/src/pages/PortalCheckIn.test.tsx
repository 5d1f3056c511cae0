import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flush, keptRecent, queued, resetQueueForTest } from '../checkInQueue';
import { addDays, type CheckIn, type Factor } from '../checkIns';
import { checkIn, json } from '../fixtures';
import { todayISO } from '../format';
import { resetPortalDataForTest } from '../portalData';
import { CheckInPage } from './PortalCheckIn';

const me = { id: 'us_ada', display_name: 'Ada' };
const today = todayISO();

const factors: Factor[] = [
  { id: 'exercise', label: 'Exercise', kind: 'activity', own: false },
  { id: 'social', label: 'Time with people', kind: 'activity', own: false },
  { id: 'alcohol', label: 'Alcohol', kind: 'factor', own: false },
];

const resources = { region: 'GB', name: 'United Kingdom', emergency: { number: '999', label: 'Emergency services' }, lines: [{ name: 'Samaritans', phone: '116 123', hours: '24/7', description: 'Call free.' }] };

function stored(over: Partial<CheckIn> = {}): CheckIn {
  return checkIn(today, { id: 'ci_1', mood: 7, ...over });
}

interface Post {
  url: string;
  key: string | undefined;
  body: Record<string, unknown>;
}

/** The API as the check-in page uses it; `post` answers the POST. */
function api(post: (p: Post) => Response | Promise<Response>, existing: CheckIn[] = []) {
  const posts: Post[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      if (init.method === 'POST') {
        const p = { url, key: (init.headers as Record<string, string>)['Idempotency-Key'], body: JSON.parse(init.body as string) as Record<string, unknown> };
        posts.push(p);
        return post(p);
      }
      if (url === '/api/v1/me/factors') return json({ items: factors });
      if (url.startsWith('/api/v1/me/check-ins?')) return json({ items: existing });
      if (url === '/api/v1/me/crisis-resources') return json(resources);
      if (url === '/api/v1/me/safety-plan') return json({ status: 404 }, 404);
      return json({ status: 404 }, 404);
    }),
  );
  return posts;
}

function tapMood(name: string) {
  fireEvent.click(screen.getByRole('radio', { name }));
}

beforeEach(() => {
  localStorage.clear();
  resetQueueForTest();
  resetPortalDataForTest();
  vi.stubGlobal('navigator', { ...navigator, onLine: true });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the daily check-in', () => {
  it('asks for the mood first, with words, and sends what was tapped with an Idempotency-Key', async () => {
    const posts = api((p) => json({ ...stored({ mood: p.body.mood as number }), alert_raised: false }, 201));
    render(<CheckInPage user={me} />);
    const moods = screen.getAllByRole('radio').filter((r) => (r as HTMLInputElement).name === 'mood');
    expect(moods).toHaveLength(11);
    screen.getByRole('group', { name: 'How is your mood?' });
    tapMood('7 Good');
    fireEvent.click(within(screen.getByRole('group', { name: 'Anxiety' })).getByRole('radio', { name: '3' }));
    fireEvent.click(screen.getByRole('radio', { name: '1 A little' }));
    fireEvent.click(screen.getByRole('radio', { name: 'I don’t take any' }));
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Exercise' }));
    fireEvent.input(screen.getByLabelText(/A short note/), { target: { value: 'Walked by the river' } });
    const share = screen.getByRole('checkbox', { name: 'Share this note with my care team' }) as HTMLInputElement;
    expect(share.checked).toBe(false); // off by default
    screen.getByText(/only you can read your note/);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByRole('heading', { name: 'Your check-in for today is saved' });
    expect(posts).toHaveLength(1);
    expect(posts[0].url).toBe('/api/v1/me/check-ins');
    expect(posts[0].key).toMatch(/^[0-9a-f-]{36}$/);
    expect(posts[0].body).toEqual({ date: today, mood: 7, anxiety: 3, self_harm_urge: 1, medication: 'not_applicable', factors: ['exercise'], note: 'Walked by the river', share_note: false });
    expect(queued(me.id)).toEqual([]);
  });

  it('says only the mood is needed, and sends nothing without it', async () => {
    const posts = api(() => json(stored(), 201));
    render(<CheckInPage user={me} />);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Choose how your mood is.');
    expect(posts).toHaveLength(0);
  });

  it('opens with today’s check-in and says saving again replaces it', async () => {
    const posts = api(() => json(stored({ mood: 4 }), 200), [stored({ mood: 8, note: 'mine', factors: ['social'] })]);
    render(<CheckInPage user={me} />);
    await waitFor(() => expect((screen.getByRole('radio', { name: '8 Very good' }) as HTMLInputElement).checked).toBe(true));
    screen.getByText(/saving again replaces it/);
    expect((screen.getByRole('checkbox', { name: 'Time with people' }) as HTMLInputElement).checked).toBe(true);
    tapMood('4 A bit low');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByRole('heading', { name: 'Your check-in for today is updated' });
    expect(posts[0].body).toMatchObject({ date: today, mood: 4, factors: ['social'], note: 'mine', share_note: false });
  });

  it('shows the server’s reason beside the field when it refuses, and keeps nothing on the phone', async () => {
    api(() => json({ status: 422, title: 'Invalid', errors: [{ field: 'note', message: 'at most 500 characters' }] }, 422));
    render(<CheckInPage user={me} />);
    tapMood('5 Okay');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('At most 500 characters');
    expect(queued(me.id)).toEqual([]);
  });

  it('when the care team was told: says so calmly, with the crisis lines and “I need help now”', async () => {
    api((p) => json({ ...stored({ mood: 1, self_harm_urge: 4 }), ...p.body, alert_raised: true }, 201));
    render(<CheckInPage user={me} />);
    tapMood('1 Very bad');
    fireEvent.click(screen.getByRole('radio', { name: '4 Very strong' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText(/your care team has been told/);
    screen.getByRole('link', { name: 'I need help now' });
    await screen.findByRole('link', { name: 'Call 999' });
    screen.getByText('Samaritans', { exact: false });
  });
});

describe('with no signal', () => {
  it('keeps the check-in on the phone with the key of the failed POST, and sends it once with that key later', async () => {
    let online = false;
    const posts = api((p) => (online ? json({ ...stored({ mood: p.body.mood as number }), alert_raised: false }, 201) : Promise.reject(new TypeError('Failed to fetch'))));
    render(<CheckInPage user={me} />);
    tapMood('6 Fairly good');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved on this phone — it will be sent when you are back online.');
    const kept = queued(me.id);
    expect(kept).toHaveLength(1);
    expect(kept[0].key).toBe(posts[0].key);
    expect(kept[0].body).toEqual({ date: today, mood: 6 });
    online = true;
    await flush(me.id);
    expect(posts.map((p) => p.key)).toEqual([kept[0].key, kept[0].key]);
    expect(queued(me.id)).toEqual([]);
    await screen.findByText('Your check-in has now been sent to Tend.');
  });

  it('when the browser knows it is offline: kept at once, no request; strong urges get the lines now', async () => {
    vi.stubGlobal('navigator', { ...navigator, onLine: false });
    const posts = api(() => json(stored(), 201));
    render(<CheckInPage user={me} />);
    tapMood('2 Bad');
    fireEvent.click(screen.getByRole('radio', { name: '3 Strong' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved on this phone — it will be sent when you are back online.');
    expect(posts).toHaveLength(0);
    screen.getByText(/Your care team does not know yet/);
    screen.getByRole('heading', { name: 'Talk to someone now' });
  });

  it('opened with no signal at all (offline mode): the kept chips, no “add your own”, kept on Save', async () => {
    localStorage.setItem('tend.check-in-factors', JSON.stringify({ owner: me.id, items: factors }));
    const fetcher = vi.fn(async () => Promise.reject(new TypeError('Failed to fetch')));
    vi.stubGlobal('fetch', fetcher);
    render(<CheckInPage user={me} offline />);
    screen.getByRole('checkbox', { name: 'Alcohol' });
    expect(screen.queryByRole('button', { name: /Add your own/ })).toBeNull();
    tapMood('5 Okay');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved on this phone — it will be sent when you are back online.');
    expect(fetcher.mock.calls.filter((c) => (c as unknown[])[1] && ((c as unknown[])[1] as RequestInit).method === 'POST')).toHaveLength(0);
    expect(queued(me.id)).toHaveLength(1);
  });
});

describe('changing a day with no signal', () => {
  it('starts from what this phone last knew of that day, so its note is not lost', async () => {
    const yesterday = addDays(today, -1);
    // the page was opened with signal once: the recent days are kept on the phone
    api(() => json(stored(), 201), [stored({ date: yesterday, mood: 8, note: 'Dinner with Sam', share_note: true, factors: ['social'] })]);
    const first = render(<CheckInPage user={me} />);
    await waitFor(() => expect(keptRecent(me.id)).toHaveLength(1));
    first.unmount();
    vi.stubGlobal('navigator', { ...navigator, onLine: false });
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    render(<CheckInPage user={me} />);
    fireEvent.change(screen.getByLabelText('Which day?'), { target: { value: yesterday } });
    await waitFor(() => expect((screen.getByRole('radio', { name: '8 Very good' }) as HTMLInputElement).checked).toBe(true));
    tapMood('6 Fairly good');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved on this phone — it will be sent when you are back online.');
    expect(queued(me.id)[0].body).toEqual({ date: yesterday, mood: 6, factors: ['social'], note: 'Dinner with Sam', share_note: true });
  });
});

describe('your own activities and factors', () => {
  it('adds one and ticks it', async () => {
    const posts = api((p) => (p.url === '/api/v1/me/factors' ? json({ id: 'own_knitting', label: p.body.label, kind: p.body.kind, own: true }, 201) : json(stored(), 201)));
    render(<CheckInPage user={me} />);
    await screen.findByRole('checkbox', { name: 'Exercise' });
    fireEvent.click(screen.getAllByRole('button', { name: '+ Add your own' })[0]);
    fireEvent.input(screen.getByLabelText('Your own'), { target: { value: 'Knitting' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    const added = (await screen.findByRole('checkbox', { name: 'Knitting' })) as HTMLInputElement;
    expect(added.checked).toBe(true);
    expect(posts[0]).toMatchObject({ url: '/api/v1/me/factors', body: { label: 'Knitting', kind: 'activity' } });
  });
});
