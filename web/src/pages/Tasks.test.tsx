import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json } from '../fixtures';
import type { Task } from '../types';
import { ClientTasks, MyTasksSection } from './Tasks';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const task = (id: string, title: string, due: Task['due'], over: Partial<Task> = {}): Task => ({
  id,
  client_id: 'cl_1',
  client_name: 'Ada Lovelace',
  episode_id: null,
  kind: 'call',
  title,
  due_on: '2026-11-20',
  due,
  owner: { id: 'us_1', name: 'Chidi Okafor' },
  status: 'open',
  outcome: '',
  created_by: 'us_1',
  created_at: '2026-11-01T09:00:00Z',
  closed_by: null,
  closed_at: null,
  version: 1,
  ...over,
});

describe('follow-up tasks', () => {
  it('my tasks show overdue ones marked, in the server’s order, and one is done with what happened', async () => {
    const posts: { url: string; body: unknown }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posts.push({ url, body: JSON.parse(init.body as string) });
          return json(task('tk_1', 'Call about the missed session', null, { status: 'done', version: 2 }));
        }
        return json({ items: [task('tk_1', 'Call about the missed session', 'overdue'), task('tk_2', 'Letter to the GP', 'today', { kind: 'letter' })] });
      }),
    );
    render(<MyTasksSection />);
    const table = await screen.findByRole('table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0].className).toBe('overdue');
    expect(within(rows[0]).getAllByRole('cell')[0].textContent).toMatch(/^Overdue/);
    expect(within(rows[1]).getAllByRole('cell')[0].textContent).toBe('Today');
    expect(within(rows[1]).getAllByRole('cell')[2].textContent).toBe('Letter: Letter to the GP');
    fireEvent.click(screen.getByRole('button', { name: 'Done: Call about the missed session (Ada Lovelace)' }));
    fireEvent.input(screen.getByLabelText(/What happened/), { target: { value: 'Reached; rebooked' } });
    fireEvent.click(screen.getByRole('button', { name: 'Mark done' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toEqual({ url: '/api/v1/tasks/tk_1/done', body: { version: 1, outcome: 'Reached; rebooked' } });
    await screen.findByText('Call for Ada Lovelace done.');
  });

  it('adding a task on the chart shows the server’s refusal on its field', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          return new Response(JSON.stringify({ type: 'about:blank', title: 'Invalid', status: 422, detail: 'title: is required', errors: [{ field: 'title', message: 'is required' }] }), {
            status: 422,
            headers: { 'Content-Type': 'application/problem+json' },
          });
        }
        return json({ items: [] });
      }),
    );
    render(<ClientTasks clientId="cl_1" />);
    await screen.findByText('No tasks.');
    fireEvent.click(screen.getByRole('button', { name: 'Add the task' }));
    await waitFor(() => expect(screen.getByLabelText(/^Task/).getAttribute('aria-invalid')).toBe('true'));
  });
});
