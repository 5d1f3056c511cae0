import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json } from '../fixtures';
import type { Episode } from '../types';
import { EpisodesTab, milestones, today } from './ChartEpisodes';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const episode = (over: Partial<Episode> = {}): Episode => ({
  id: 'ep_1',
  client_id: 'cl_1',
  program: 'Adult counselling',
  stage: 'waitlist',
  open: true,
  referral_source: 'primary care',
  referral_reason: 'Low mood since a bereavement.',
  referred_on: '2026-10-01',
  waitlisted_on: '2026-10-02',
  intake_on: null,
  active_on: null,
  ended_on: null,
  transferred_to: null,
  first_seen_on: null,
  second_seen_on: null,
  version: 2,
  created_by: 'us_1',
  updated_at: '2026-10-02T09:00:00Z',
  ...over,
});

function problem(status: number, detail: string, errors: { field: string; message: string }[] = []) {
  return new Response(JSON.stringify({ type: 'about:blank', title: 'Refused', status, detail, errors }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  });
}

describe('episodes of care on the chart', () => {
  it('today is the local calendar date', () => {
    expect(today(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });

  it('lists the dated steps an episode went through, in order', () => {
    expect(milestones(episode({ stage: 'transferred', open: false, intake_on: '2026-10-20', ended_on: '2026-11-01', transferred_to: 'Eating disorders service' }))).toEqual([
      { label: 'Referred', on: '2026-10-01', days: 0 },
      { label: 'Waitlist', on: '2026-10-02', days: 1 },
      { label: 'Intake', on: '2026-10-20', days: 19 },
      { label: 'Transferred', on: '2026-11-01', days: 31 },
    ]);
    // Across the change from summer time, and a leap day: calendar days, not 24-hour spans.
    expect(milestones(episode({ referred_on: '2024-02-28', waitlisted_on: '2024-03-31' }))[1].days).toBe(32);
  });

  it('moves an open episode on with the stages the server offers, sending the version', async () => {
    const posts: { url: string; body: Record<string, unknown> }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (url.includes('/tasks')) return json({ items: [] });
        if (init?.method === 'POST') {
          posts.push({ url, body: JSON.parse(init.body as string) });
          return json(episode({ stage: 'intake', intake_on: '2026-10-20', version: 3 }));
        }
        if (url.includes('/api/v1/episodes/ep_1')) return json({ ...episode(), steps: [{ stage: 'waitlist', on: '2026-10-02', by: 'us_1', note: 'Placed on the waitlist', at: '2026-10-02T09:00:00Z' }], next: ['intake', 'declined', 'transferred'] });
        return json({ items: [episode()] });
      }),
    );
    render(<EpisodesTab clientId="cl_1" />);
    const card = await screen.findByRole('region', { name: /Adult counselling/ });
    expect(within(card).getByText('On the waitlist')).toBeTruthy();
    const stage = (await within(card).findByLabelText(/Next step/)) as HTMLSelectElement;
    expect(Array.from(stage.options).map((o) => o.value)).toEqual(['intake', 'declined', 'transferred']);
    fireEvent.input(within(card).getByLabelText(/^On/), { target: { value: '2026-10-20' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Record the step' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0].url).toBe('/api/v1/episodes/ep_1/steps');
    expect(posts[0].body).toEqual({ stage: 'intake', on: '2026-10-20', version: 2 });
  });

  it('a transfer asks where to, and the server’s refusal shows on its field', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (url.includes('/tasks')) return json({ items: [] });
        if (init?.method === 'POST') return problem(422, 'on: must not be before the step before it (2026-10-02)', [{ field: 'on', message: 'must not be before the step before it (2026-10-02)' }]);
        if (url.includes('/api/v1/episodes/ep_1')) return json({ ...episode(), steps: [], next: ['intake', 'declined', 'transferred'] });
        return json({ items: [episode()] });
      }),
    );
    render(<EpisodesTab clientId="cl_1" />);
    const card = await screen.findByRole('region', { name: /Adult counselling/ });
    fireEvent.change(await within(card).findByLabelText(/Next step/), { target: { value: 'transferred' } });
    expect(within(card).getByLabelText(/Transferred to/)).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: 'Record the step' }));
    await within(card).findByText(/must not be before the step before it/i);
    expect(within(card).getByLabelText(/^On/).getAttribute('aria-invalid')).toBe('true');
  });

  it('a new referral is posted and the list reloads', async () => {
    const posts: Record<string, unknown>[] = [];
    let listed = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (url.includes('/tasks')) return json({ items: [] });
        if (init?.method === 'POST') {
          posts.push(JSON.parse(init.body as string));
          return json(episode({ stage: 'referred', waitlisted_on: null, version: 1 }));
        }
        listed += 1;
        return json({ items: [] });
      }),
    );
    render(<EpisodesTab clientId="cl_1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'New referral' }));
    fireEvent.input(screen.getByLabelText(/^Program/), { target: { value: ' Adult counselling ' } });
    fireEvent.change(screen.getByLabelText(/Referred by/), { target: { value: 'school or college' } });
    fireEvent.input(screen.getByLabelText(/Reason for referral/), { target: { value: 'Panic attacks at school' } });
    fireEvent.input(screen.getByLabelText(/Referral received on/), { target: { value: '2026-11-02' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add the referral' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toEqual({ program: 'Adult counselling', referral_source: 'school or college', referral_reason: 'Panic attacks at school', referred_on: '2026-11-02' });
    await waitFor(() => expect(listed).toBe(2));
  });
});
