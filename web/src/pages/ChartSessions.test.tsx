import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json } from '../fixtures';
import type { Appointment } from '../types';
import { nextStatuses, SessionsTab, sessionTimes } from './ChartSessions';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const appt = (over: Partial<Appointment> = {}): Appointment => ({
  id: 'ap_1',
  client_id: 'cl_1',
  client_name: 'Ada Lovelace',
  clinician: { id: 'us_1', name: 'Chidi Okafor' },
  kind: 'individual',
  mode: 'in_person',
  starts_at: '2026-12-03T10:00:00.000Z',
  ends_at: '2026-12-03T10:50:00.000Z',
  room: 'Room 2',
  meeting_url: null,
  status: 'booked',
  cancelled_by: null,
  late_cancel: false,
  note: '',
  version: 1,
  ...over,
});

describe('appointments on the chart', () => {
  it('turns a local date, start and length into instants', () => {
    const t = sessionTimes('2026-12-03', '10:00', 50)!;
    expect(new Date(t.ends_at).getTime() - new Date(t.starts_at).getTime()).toBe(50 * 60_000);
    expect(new Date(t.starts_at).getHours()).toBe(10);
    expect(sessionTimes('', '10:00', 50)).toBeNull();
  });

  it('offers only what may follow', () => {
    expect(nextStatuses('booked')).toEqual(['arrived', 'attended', 'no_show', 'cancelled']);
    expect(nextStatuses('arrived')).toEqual(['attended', 'no_show']);
    expect(nextStatuses('attended')).toEqual([]);
    expect(nextStatuses('cancelled')).toEqual([]);
  });

  it('records a late cancellation by the client with the version it saw', async () => {
    const posts: { url: string; body: unknown }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posts.push({ url, body: JSON.parse(init.body as string) });
          return json(appt({ status: 'cancelled', cancelled_by: 'client', late_cancel: true, version: 2 }));
        }
        return json({ items: [appt()] });
      }),
    );
    render(<SessionsTab clientId="cl_1" />);
    fireEvent.click(await screen.findByRole('button', { name: /^Client cancelled/ }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toEqual({ url: '/api/v1/appointments/ap_1/status', body: { status: 'cancelled', version: 1, cancelled_by: 'client' } });
  });

  it('a clash comes back naming the other booking, on the form', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          const detail = 'room: Room 2 is taken 10:00–10:50 UTC (appointment ap_9)';
          return new Response(JSON.stringify({ type: 'about:blank', title: 'Conflict', status: 409, detail, errors: [{ field: 'room', message: 'Room 2 is taken 10:00–10:50 UTC (appointment ap_9)' }] }), {
            status: 409,
            headers: { 'Content-Type': 'application/problem+json' },
          });
        }
        return json({ items: [] });
      }),
    );
    render(<SessionsTab clientId="cl_1" />);
    await screen.findByText('No appointments yet.');
    fireEvent.input(screen.getByLabelText(/^Room/), { target: { value: 'Room 2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Book' }));
    await screen.findByText(/Room 2 is taken 10:00–10:50 UTC/i);
    expect(screen.getByLabelText(/^Room/).getAttribute('aria-invalid')).toBe('true');
  });
});
