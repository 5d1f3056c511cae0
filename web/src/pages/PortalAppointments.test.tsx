import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appointment, json } from '../fixtures';
import type { ChangeRequest } from '../types';
import { howToAttend, PortalAppointments, requestWords } from './PortalAppointments';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const request = (over: Partial<ChangeRequest> = {}): ChangeRequest => ({
  id: 'ar_1',
  appointment_id: 'ap_1',
  kind: 'reschedule',
  message: '',
  status: 'open',
  answer: '',
  answered_by: null,
  created_at: '2026-12-01T09:00:00.000Z',
  answered_at: null,
  ...over,
});

describe('appointments in the portal', () => {
  it('says how to attend and what became of a request, in plain words', () => {
    expect(howToAttend({ mode: 'in_person', room: 'Room 2' })).toBe('In person, Room 2');
    expect(howToAttend({ mode: 'video', room: null })).toBe('Video call');
    expect(requestWords(request())).toBe('You asked to move this. Your care team will be in touch.');
    expect(requestWords(request({ kind: 'cancel', status: 'done' }))).toBe('You asked to cancel an appointment: done.');
    expect(requestWords(request({ status: 'declined', answer: 'No mornings free.' }))).toContain('“No mornings free.”');
  });

  it('asks to move an appointment, with a message', async () => {
    const posts: { url: string; body: unknown }[] = [];
    let asked = false;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posts.push({ url, body: JSON.parse(init.body as string) });
          asked = true;
          return json(request({ message: 'Afternoons, please.' }), 201);
        }
        if (url === '/api/v1/me/appointment-requests') return json({ items: [] });
        return json({ items: [appointment({ mode: 'video', room: null, meeting_url: 'https://meet.example.org/a', request: asked ? request() : null })] });
      }),
    );
    render(<PortalAppointments />);
    expect((await screen.findByRole('link', { name: 'Join the video call' })).getAttribute('href')).toBe('https://meet.example.org/a');
    fireEvent.click(screen.getByRole('button', { name: /^Ask to move/ }));
    fireEvent.input(await screen.findByLabelText(/^Which days or times suit you better/), { target: { value: 'Afternoons, please.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send: please move it' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toEqual({ url: '/api/v1/me/appointments/ap_1/requests', body: { kind: 'reschedule', message: 'Afternoons, please.' } });
    await screen.findByText('You asked to move this. Your care team will be in touch.');
  });

  it('says when nothing is booked', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ items: [] })));
    render(<PortalAppointments />);
    await screen.findByText(/No appointments booked/);
  });
});
