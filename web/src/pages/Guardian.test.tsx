import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json } from '../fixtures';
import type { User } from '../types';
import { GuardianHome } from './Guardian';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const grace = { id: 'us_g', username: 'grace', display_name: 'Grace Okafor', role: 'guardian', email: null, disabled: false, totp_enabled: false, client_id: null, created_at: '2026-12-01T10:00:00.000Z' } as User;

describe('the guardian portal', () => {
  it('shows only the sections the service shares, and adds another young person by code', async () => {
    const asked: string[] = [];
    const posts: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        asked.push(url);
        if (init?.method === 'POST') {
          posts.push(JSON.parse(init.body as string));
          return new Response(null, { status: 204 });
        }
        if (url === '/api/v1/guardian/clients') {
          return json({ items: [{ client_id: 'cl_s', name: 'Sam Okafor', relationship: 'mother', sections: ['appointments', 'crisis_resources'] }] });
        }
        if (url.endsWith('/appointments')) {
          return json({
            items: [{ id: 'ap_1', clinician: { id: 'us_1', name: 'Chidi Okafor' }, kind: 'individual', mode: 'in_person', room: 'Room 4', starts_at: '2026-12-03T15:00:00.000Z', ends_at: '2026-12-03T15:50:00.000Z', status: 'booked' }],
          });
        }
        return json({ region: 'US', emergency: { number: '911' }, lines: [{ name: '988 Lifeline', phone: '988' }] });
      }),
    );
    render(<GuardianHome user={grace} />);
    expect(await screen.findByRole('heading', { name: 'Sam Okafor' })).toBeTruthy();
    expect(await screen.findByText(/Room 4/)).toBeTruthy();
    expect(await screen.findByText('988 Lifeline')).toBeTruthy();
    expect(screen.queryByText(/safety plan/i)).toBeNull();
    expect(asked.some((u) => u.endsWith('/safety-plan') || u.endsWith('/education') || u.endsWith('/plan'))).toBe(false);
    fireEvent.input(screen.getByLabelText('Invitation code'), { target: { value: 'k7qm3xpa' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    await waitFor(() => expect(posts).toEqual([{ code: 'K7QM-3XPA' }]));
    expect(await screen.findByText(/Added/)).toBeTruthy();
  });
});
