import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appointment, json } from '../fixtures';
import { nextStatuses, SessionsTab, sessionTimes } from './ChartSessions';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const appt = appointment;

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
          const detail = 'room: Room 2 is taken on Thu 3 Dec 2026 10:00–10:50 UTC (appointment ap_9)';
          return new Response(JSON.stringify({ type: 'about:blank', title: 'Conflict', status: 409, detail, errors: [{ field: 'room', message: 'Room 2 is taken on Thu 3 Dec 2026 10:00–10:50 UTC (appointment ap_9)' }] }), {
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
    await screen.findByText(/Room 2 is taken on Thu 3 Dec 2026 10:00–10:50 UTC/i);
    expect(screen.getByLabelText(/^Room/).getAttribute('aria-invalid')).toBe('true');
  });

  it('books a weekly series in one request and says how many', async () => {
    const posts: { url: string; body: Record<string, unknown> }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posts.push({ url, body: JSON.parse(init.body as string) });
          return json({ series_id: 'as_1', items: [appt({ series_id: 'as_1' }), appt({ id: 'ap_2', starts_at: '2026-12-10T10:00:00.000Z', series_id: 'as_1' })] }, 201);
        }
        return json({ items: [] });
      }),
    );
    render(<SessionsTab clientId="cl_1" />);
    await screen.findByText('No appointments yet.');
    fireEvent.change(screen.getByLabelText(/^Repeats/), { target: { value: '1' } });
    fireEvent.change(await screen.findByLabelText(/^How many in all/), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Book the series' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0].url).toBe('/api/v1/clients/cl_1/appointment-series');
    expect(posts[0].body.repeat).toEqual({ every_weeks: 1, count: 2 });
    await screen.findByText(/Booked 2 appointments with Chidi Okafor/);
  });

  it('shows the client’s request and declines it with a reason', async () => {
    const posts: { url: string; body: unknown }[] = [];
    const request = { id: 'ar_1', appointment_id: 'ap_1', kind: 'reschedule' as const, message: 'Mornings are hard.', status: 'open' as const, answer: '', answered_by: null, created_at: '2026-12-01T09:00:00.000Z', answered_at: null };
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posts.push({ url, body: JSON.parse(init.body as string) });
          return json({ ...request, status: 'declined', answer: 'No mornings free.' });
        }
        return json({ items: [appt({ request })] });
      }),
    );
    render(<SessionsTab clientId="cl_1" />);
    await screen.findByText(/The client asks to move this/);
    screen.getByText(/Mornings are hard/);
    fireEvent.click(screen.getByRole('button', { name: /^Decline the request/ }));
    fireEvent.input(await screen.findByLabelText(/^Why not/), { target: { value: 'No mornings free.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send the answer' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toEqual({ url: '/api/v1/appointment-requests/ar_1', body: { status: 'declined', answer: 'No mornings free.' } });
  });
});
