import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json } from '../fixtures';
import { AmendmentsSection, decisionWords } from './ChartAmendments';
import { OpenAmendmentsSection } from './HomeAmendments';
import { amendmentAnswer, PortalRecordPage, type AccessLine, type Amendment } from './PortalRecord';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const amendment = (over: Partial<Amendment> = {}): Amendment => ({
  id: 'am_1',
  client_id: 'cl_1',
  client_name: 'Ada Lovelace',
  what: 'my phone number',
  change: 'It is 555-0100 now',
  ref_kind: null,
  ref_id: null,
  status: 'open',
  created_at: '2026-12-01T09:00:00.000Z',
  decided_at: null,
  decided_by: null,
  reason: null,
  ...over,
});

const line = (over: Partial<AccessLine> = {}): AccessLine => ({
  text: 'Sam Rivera (clinician, your care team) looked at your assessment results — Tue 1 Dec 2026, 10:04',
  who: 'Sam Rivera (clinician, your care team)',
  did: 'looked at',
  what: 'your assessment results',
  day: '2026-12-01',
  first_at: '2026-12-01T10:04:00Z',
  last_at: '2026-12-01T10:04:00Z',
  times: 1,
  emergency: false,
  automatic: false,
  refused: false,
  ...over,
});

describe('my record in the portal', () => {
  it('says where a request stands, in plain words', () => {
    expect(amendmentAnswer(amendment())).toBe('Waiting for an answer from your care team.');
    const refused = amendmentAnswer(amendment({ status: 'refused', decided_by: { id: 'u', name: 'Sam Rivera' }, decided_at: '2026-12-02T10:00:00Z', reason: 'It is right as it is' }));
    expect(refused).toMatch(/^Not changed by Sam Rivera on .*: “It is right as it is”$/);
    expect(amendmentAnswer(amendment({ status: 'accepted' }))).toBe('Accepted.');
    expect(decisionWords(amendment({ status: 'refused', reason: 'Because' }))).toBe('Refused — “Because”');
  });

  it('shows who has seen the record, the downloads, and sends a correction', async () => {
    const posts: { url: string; body: unknown }[] = [];
    let requests: Amendment[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          const body = JSON.parse(init.body as string) as { what: string; change: string };
          posts.push({ url, body });
          if (!body.change) return json({ status: 422, detail: 'change: say what should change', errors: [{ field: 'change', message: 'say what should change' }] }, 422);
          requests = [amendment({ what: body.what, change: body.change })];
          return json(requests[0], 201);
        }
        if (url.startsWith('/api/v1/me/access-log')) return json({ items: [line(), line({ text: 'Eve Park (clinician, not on your care team) opened your record in an emergency, with a recorded reason — Tue 1 Dec 2026, 11:00', emergency: true })], next_cursor: null });
        return json({ items: requests });
      }),
    );
    render(<PortalRecordPage />);
    await screen.findByText(/Sam Rivera \(clinician, your care team\) looked at your assessment results/);
    screen.getByText(/in an emergency, with a recorded reason/);
    expect(screen.getByRole('link', { name: 'Readable page' }).getAttribute('href')).toBe('/api/v1/me/record.html');
    expect(screen.getByRole('link', { name: 'FHIR file (JSON)' }).getAttribute('href')).toBe('/api/v1/me/record');

    fireEvent.input(screen.getByLabelText(/Which part of your record/), { target: { value: 'my phone number' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send my request' }));
    await screen.findByText(/Say what should change/);
    fireEvent.input(screen.getByLabelText(/What should it say instead/), { target: { value: 'It is 555-0100 now' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send my request' }));
    await screen.findByRole('status');
    expect(posts[1]).toEqual({ url: '/api/v1/me/amendments', body: { what: 'my phone number', change: 'It is 555-0100 now' } });
    await screen.findByText('Waiting for an answer from your care team.');
  });
});

describe('correction requests for staff', () => {
  it('refuses only with a reason of 10 characters or more', async () => {
    const posts: { url: string; body: unknown }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posts.push({ url, body: JSON.parse(init.body as string) });
          return json(amendment({ status: 'refused', reason: 'The number on file is right' }));
        }
        return json({ items: [posts.length ? amendment({ status: 'refused', reason: 'The number on file is right' }) : amendment()] });
      }),
    );
    render(<AmendmentsSection clientId="cl_1" />);
    fireEvent.input(await screen.findByLabelText(/Your answer to the client/), { target: { value: 'No.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Refuse' }));
    await screen.findByText(/at least 10 characters/);
    expect(posts).toHaveLength(0);
    fireEvent.input(screen.getByLabelText(/Your answer to the client/), { target: { value: 'The number on file is right' } });
    fireEvent.click(screen.getByRole('button', { name: 'Refuse' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toEqual({ url: '/api/v1/amendments/am_1/refuse', body: { reason: 'The number on file is right' } });
    await screen.findByText(/Refused — “The number on file is right”/);
  });

  it('lists open requests on the home page, linking to the chart', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ items: [amendment()] })));
    render(<OpenAmendmentsSection />);
    const link = await screen.findByRole('link', { name: 'Ada Lovelace asks to correct: my phone number' });
    expect(link.getAttribute('href')).toBe('/clients/cl_1?tab=access-log');
  });
});
