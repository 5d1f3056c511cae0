import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json } from '../fixtures';
import { agreementWords, bodyOf, draftOf, groupChanges, progressLine, type Plan } from '../plans';
import { PlanTab } from './ChartPlan';
import { MyPlanPage, progressForClient } from './PortalPlan';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const plan = (over: Partial<Plan> = {}): Plan => ({
  id: 'pl_1',
  client_id: 'cl_1',
  episode_id: null,
  created_by: 'us_1',
  version: 2,
  saved_by: { id: 'us_1', name: 'Dr Rivers' },
  saved_at: '2026-11-20T10:00:00Z',
  review_due: 'upcoming',
  agreement: { version: 1, at: '2026-11-18T09:30:00Z', current: false },
  problems: [{ id: 'pp_1', text: 'Moderate depressive episode' }],
  goals: [{ id: 'pg_1', text: 'Get back to work' }],
  objectives: [
    {
      id: 'po_1',
      text: 'Mood lifts',
      target_on: '2027-03-01',
      since: '2026-11-18',
      instrument_id: 'phq-9',
      instrument_name: 'PHQ-9',
      comparison: 'below',
      target: 10,
      progress: { status: 'not_yet', baseline: 16, baseline_on: '2026-11-17', latest: 12, latest_on: '2026-11-19', results: 2 },
    },
  ],
  interventions: [{ id: 'pi_1', code: 'cbt', name: 'Cognitive behavioural therapy (CBT)', client_text: 'Talking sessions.', detail: '', frequency: 'weekly', delivered_by: { id: 'us_1', name: 'Dr Rivers' } }],
  review_on: '2026-12-18',
  ...over,
});

describe('treatment plans', () => {
  it('says which version the client agreed to and that a newer one is not yet agreed', () => {
    expect(agreementWords(plan())).toMatch(/^Agreed to version 1 on .*; version 2 not yet agreed$/);
    expect(agreementWords(plan({ agreement: { version: 2, at: '2026-11-20T11:00:00Z', current: true } }))).toMatch(/^Agreed to version 2 on [^;]+$/);
    expect(agreementWords(plan({ version: 1, agreement: { version: null, at: null, current: false } }))).toBe('Version 1 not yet agreed by the client');
  });

  it('words progress from the baseline to the latest result', () => {
    expect(progressLine(plan().objectives[0].progress)).toMatch(/^From 16 \(.*\) to 12 \(.*\)$/);
    expect(progressLine(undefined)).toBe('No results yet');
    expect(progressForClient(plan().objectives[0].progress, true)).toBe('Your score was 16 and is now 12.');
    expect(progressForClient({ status: 'met', baseline: 16, baseline_on: 'a', latest: 8, latest_on: 'b', results: 2 }, true)).toBe('You have reached this.');
  });

  it('keeps item ids in the body, drops empty rows and sends the measure only with one', () => {
    const d = draftOf(plan(), 'us_1');
    d.goals.push({ id: '', text: '  See friends  ' }, { id: '', text: '' });
    d.objectives.push({ id: '', text: 'Walk daily', target_on: '2027-01-01', instrument_id: '', comparison: 'below', target: '' });
    const body = bodyOf(d) as { goals: unknown[]; objectives: unknown[] };
    expect(body.goals).toEqual([{ id: 'pg_1', text: 'Get back to work' }, { text: 'See friends' }]);
    expect(body.objectives).toEqual([
      { id: 'po_1', text: 'Mood lifts', target_on: '2027-03-01', instrument_id: 'phq-9', comparison: 'below', target: 10 },
      { text: 'Walk daily', target_on: '2027-01-01' },
    ]);
  });

  it('groups a diff under its sections', () => {
    const g = groupChanges([
      { section: 'goals', id: 'a', kind: 'removed', before: 'x', after: '' },
      { section: 'goals', id: 'b', kind: 'added', before: '', after: 'y' },
      { section: 'review_on', id: '', kind: 'changed', before: '2026-12-18', after: '2027-01-08' },
    ]);
    expect(g.map((x) => [x.section, x.changes.length])).toEqual([
      ['Goals', 2],
      ['Review date', 1],
    ]);
  });

  it('shows the plan with progress, agreement and the diff between versions', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        if (url.endsWith('/plans')) return json({ items: [{ id: 'pl_1', version: 2, review_on: '2026-12-18', saved_at: '2026-11-20T10:00:00Z', agreement: plan().agreement }] });
        if (url === '/api/v1/plans/pl_1') return json(plan());
        if (url.includes('/versions')) return json({ items: [{ ...plan(), version: 2 }, { ...plan(), version: 1 }] });
        if (url.includes('/diff')) return json({ from: 1, to: 2, changes: [{ section: 'goals', id: 'pg_0', kind: 'removed', before: 'Sleep better', after: '' }] });
        if (url.includes('/episodes')) return json({ items: [] });
        return json({ items: [] });
      }),
    );
    render(<PlanTab clientId="cl_1" userId="us_1" />);
    const card = await screen.findByRole('region', { name: /Treatment plan/ });
    expect(within(card).getByRole('status').textContent).toMatch(/version 2 not yet agreed/);
    expect(within(card).getByText('“Get back to work”')).toBeTruthy();
    expect(within(card).getByText(/PHQ-9 below 10/)).toBeTruthy();
    expect(within(card).getByText('Not yet')).toBeTruthy();
    const history = card.querySelector('details')!;
    history.open = true;
    fireEvent(history, new Event('toggle'));
    const diff = await within(card).findByLabelText('Changes from version 1 to 2');
    expect(within(diff).getByText('Sleep better').tagName).toBe('DEL');
  });

  it('sends a change as a new version of the one edited and shows the field the server refused', async () => {
    const puts: Record<string, unknown>[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'PUT') {
          puts.push(JSON.parse(init.body as string));
          return new Response(JSON.stringify({ status: 422, detail: 'invalid fields: review_on', errors: [{ field: 'review_on', message: 'must not be in the past' }] }), { status: 422, headers: { 'Content-Type': 'application/problem+json' } });
        }
        if (url.endsWith('/plans')) return json({ items: [{ id: 'pl_1', version: 2, review_on: '2026-12-18', saved_at: '2026-11-20T10:00:00Z', agreement: plan().agreement }] });
        if (url === '/api/v1/plans/pl_1') return json(plan());
        if (url === '/api/v1/interventions') return json({ items: [{ code: 'cbt', name: 'CBT', client_text: '' }, { code: 'sleep', name: 'Sleep', client_text: '' }] });
        return json({ items: [] });
      }),
    );
    render(<PlanTab clientId="cl_1" userId="us_1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Change the plan' }));
    fireEvent.input(screen.getByLabelText(/Review on/), { target: { value: '2020-01-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save as a new version' }));
    await waitFor(() => expect(puts).toHaveLength(1));
    expect(puts[0].version).toBe(2);
    expect(puts[0].review_on).toBe('2020-01-01');
    expect((puts[0].goals as unknown[])[0]).toEqual({ id: 'pg_1', text: 'Get back to work' });
    await waitFor(() => expect(screen.getByLabelText(/Review on/).getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getAllByText('Must not be in the past').length).toBeGreaterThan(0);
  });

  it('lets the client agree to the version they read, in the portal', async () => {
    const posts: { url: string; body: unknown }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posts.push({ url, body: JSON.parse(init.body as string) });
          return json(plan({ agreement: { version: 2, at: '2026-11-20T11:00:00Z', current: true } }));
        }
        return json(plan());
      }),
    );
    render(<MyPlanPage />);
    expect(await screen.findByText('Your plan has changed since you last agreed to it.')).toBeTruthy();
    expect(screen.getByText('Talking sessions.', { exact: false })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'I agree with my plan' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toEqual({ url: '/api/v1/me/plans/pl_1/agree', body: { version: 2 } });
    expect((await screen.findByRole('status')).textContent).toMatch(/You agreed to this plan on/);
  });

  it('writes the discharge summary of a discharged episode, one warning sign per line, from version 0', async () => {
    const puts: { url: string; body: Record<string, unknown> }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'PUT') {
          puts.push({ url, body: JSON.parse(init.body as string) });
          return json({});
        }
        if (url.endsWith('/plans')) return json({ items: [] });
        if (url.endsWith('/episodes')) return json({ items: [{ id: 'ep_9', program: 'Adult counselling', stage: 'discharged', open: false, ended_on: '2026-11-02' }] });
        if (url.endsWith('/discharge')) return new Response(JSON.stringify({ status: 404, detail: 'not found' }), { status: 404, headers: { 'Content-Type': 'application/problem+json' } });
        return json({ items: [] });
      }),
    );
    render(<PlanTab clientId="cl_1" userId="us_1" />);
    const section = await screen.findByRole('region', { name: /Adult counselling, discharged/ });
    fireEvent.click(await within(section).findByRole('button', { name: 'Write the discharge summary' }));
    fireEvent.input(within(section).getByLabelText(/Reason for discharge/), { target: { value: 'Goals met' } });
    fireEvent.input(within(section).getByLabelText(/Early warning signs/), { target: { value: 'Staying in bed\n\n  Skipping meals ' } });
    fireEvent.input(within(section).getByLabelText(/How to come back/), { target: { value: 'Call us' } });
    fireEvent.click(within(section).getByRole('button', { name: 'Save the discharge summary' }));
    await waitFor(() => expect(puts).toHaveLength(1));
    expect(puts[0].url).toBe('/api/v1/episodes/ep_9/discharge');
    expect(puts[0].body).toEqual({
      version: 0,
      reason: 'Goals met',
      what_helped: '',
      recommendations: '',
      relapse: { warning_signs: ['Staying in bed', 'Skipping meals'], what_helps: [], contacts: [], coming_back: 'Call us' },
    });
  });
});
