import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, recordFetch, type FetchCall } from '../fixtures';
import type { Role, User } from '../types';
import { AdminPage } from './Admin';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const user = (id: string, username: string, display_name: string, role: Role): User =>
  ({ id, username, display_name, role, disabled: false, totp_enabled: false, created_at: '2026-11-01T09:00:00Z' }) as User;

const admin = user('us_0', 'admin', 'Site Admin', 'admin');
const chidi = user('us_1', 'clin', 'Chidi Okafor', 'clinician');
const dana = user('us_2', 'dana', 'Dana Reyes', 'clinician');
const desk = user('us_3', 'desk', 'Front Desk', 'front_desk');

function serve(supervised: boolean): FetchCall[] {
  return recordFetch((c) => {
    if (c.url.startsWith('/api/v1/users?')) return json({ items: [admin, chidi, dana, desk], next_cursor: null });
    if (c.url === '/api/v1/supervisors') return json({ items: supervised ? [{ user_id: 'us_1', supervisor: { id: 'us_2', name: 'Dana Reyes' } }] : [] });
    if (c.url.startsWith('/api/v1/staff?')) return json({ items: [{ id: 'us_2', username: 'dana', display_name: 'Dana Reyes', role: 'clinician' }], next_cursor: null });
    if (c.method === 'PUT' && c.url.endsWith('/supervisor')) return json({ user_id: c.url.split('/')[4], supervisor_id: (c.body as { supervisor_id: string | null }).supervisor_id });
    return undefined;
  });
}

const row = async (username: string) => (await screen.findByText(username, { selector: 'td' })).closest('tr')!;

describe('supervisors on the account list', () => {
  it('shows who supervises each clinical account, and removes a supervisor', async () => {
    const calls = serve(true);
    render(<AdminPage me={admin} />);
    expect(await within(await row('clin')).findByText('Dana Reyes')).toBeTruthy();
    expect(within(await row('dana')).getByText('None')).toBeTruthy();
    expect(within(await row('desk')).getByText('Writes no notes')).toBeTruthy();
    expect(within(await row('desk')).queryByRole('button', { name: /supervisor/ })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Change supervisor of clin' }));
    expect(await screen.findByRole('heading', { name: /^Supervisor of Chidi Okafor/ })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Remove supervisor' }));
    await screen.findByText(/Chidi Okafor has no supervisor now/);
    expect(calls.find((c) => c.method === 'PUT')).toEqual({ method: 'PUT', url: '/api/v1/users/us_1/supervisor', body: { supervisor_id: null } });
  });

  it('sets a supervisor picked from colleagues', async () => {
    const calls = serve(false);
    render(<AdminPage me={admin} />);
    fireEvent.click(within(await row('clin')).getByRole('button', { name: 'Set supervisor of clin' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Save supervisor' }));
    expect(await screen.findByText('Choose a colleague first.')).toBeTruthy();
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);
    fireEvent.input(screen.getByLabelText('Supervisor'), { target: { value: 'dan' } });
    fireEvent.click(await screen.findByRole('button', { name: /Dana Reyes/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Save supervisor' }));
    await screen.findByText(/Dana Reyes now supervises Chidi Okafor/);
    expect(calls.find((c) => c.method === 'PUT')!.body).toEqual({ supervisor_id: 'us_2' });
  });
});
