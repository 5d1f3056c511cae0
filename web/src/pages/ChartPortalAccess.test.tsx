import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json } from '../fixtures';
import type { Client } from '../types';
import { PortalAccessSection, type Invitation } from './ChartPortalAccess';
import { ReminderForm } from './PortalSettings';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const invitation = (over: Partial<Invitation> = {}): Invitation => ({
  id: 'iv_1',
  client_id: 'cl_1',
  kind: 'client',
  method: 'code',
  state: 'pending',
  email: null,
  guardian_name: null,
  relationship: null,
  created_by: { id: 'us_1', name: 'Chidi Okafor' },
  created_at: '2026-12-01T10:00:00.000Z',
  expires_at: '2026-12-02T10:00:00.000Z',
  sent_at: null,
  used_at: null,
  revoked_at: null,
  ...over,
});

const client = (dob: string) => ({ id: 'cl_1', date_of_birth: dob, status: 'active', email: null }) as unknown as Client;

describe('portal access on the chart', () => {
  it('shows a new code once, large, and lists the invitation with a way to withdraw it', async () => {
    const posts: { url: string; body: unknown }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posts.push({ url, body: JSON.parse(init.body as string) });
          return url.endsWith('/revoke') ? json(invitation({ state: 'revoked' })) : json(invitation({ code: 'K7QM-3XPA' }), 201);
        }
        return json({ items: posts.length ? [invitation()] : [] });
      }),
    );
    render(<PortalAccessSection client={client('1990-12-10')} />);
    await screen.findByText('No portal invitations yet.');
    // An adult: no guardian choice.
    expect(screen.queryByLabelText('A parent or guardian')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Create a code' }));
    expect((await screen.findByText('K7QM-3XPA')).className).toBe('invite-code');
    expect(posts[0]).toEqual({ url: '/api/v1/clients/cl_1/invitations', body: { kind: 'client', method: 'code' } });
    fireEvent.click(await screen.findByRole('button', { name: 'Withdraw the invitation for The client' }));
    await waitFor(() => expect(posts[1]?.url).toBe('/api/v1/invitations/iv_1/revoke'));
    await waitFor(() => expect(screen.queryByText('K7QM-3XPA')).toBeNull());
  });

  it('invites a parent or guardian of a young person, naming what is missing', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          return json(
            { status: 422, title: 'Invalid', detail: 'invalid fields', errors: [{ field: 'relationship', message: 'is required for a guardian invitation' }] },
            422,
          );
        }
        return json({ items: [] });
      }),
    );
    const twelve = new Date();
    render(<PortalAccessSection client={client(`${twelve.getFullYear() - 12}-01-01`)} />);
    fireEvent.click(await screen.findByLabelText('A parent or guardian'));
    fireEvent.input(screen.getByLabelText('Their name'), { target: { value: 'Grace Okafor' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create a code' }));
    expect(await screen.findByText(/is required for a guardian invitation/i)).toBeTruthy();
  });
});

describe('reminder choices', () => {
  it('sends a time only when a daily reminder is chosen', async () => {
    const puts: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init?: RequestInit) => {
        puts.push(JSON.parse(init?.body as string));
        return json({ check_in_reminder: null, appointment_reminders: false, message_notices: true, email_on_file: true });
      }),
    );
    const saved = vi.fn();
    render(<ReminderForm initial={{ check_in_reminder: null, appointment_reminders: true, message_notices: true, email_on_file: true }} onSaved={saved} />);
    fireEvent.click(screen.getByLabelText(/Remind me a day before each appointment/));
    fireEvent.click(screen.getByRole('button', { name: 'Save reminders' }));
    await waitFor(() => expect(saved).toHaveBeenCalled());
    expect(puts[0]).toEqual({ check_in_reminder: null, appointment_reminders: false, message_notices: true });
    fireEvent.click(screen.getByLabelText('Remind me every day'));
    fireEvent.input(screen.getByLabelText('Time of the reminder'), { target: { value: '07:45' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save reminders' }));
    await waitFor(() => expect(puts).toHaveLength(2));
    expect(puts[1]).toEqual({ check_in_reminder: '07:45', appointment_reminders: false, message_notices: true });
  });
});
