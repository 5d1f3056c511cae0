import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json } from '../fixtures';
import type { FollowUp } from '../types';
import { FollowUpsSection } from './HomeCrisis';

afterEach(cleanup);

const fu = (id: string, client_name: string, due_at: string, overdue: boolean): FollowUp => ({
  id,
  alert_id: 'al_1',
  client_id: `cl_${id}`,
  client_name,
  owner: { id: 'us_1', name: 'Chidi Okafor' },
  label: '24 hours',
  due_at,
  status: overdue ? 'overdue' : 'pending',
  overdue,
});

describe('caring contacts on the home page', () => {
  it('lists overdue follow-ups first, marked, and records one as done', async () => {
    const posts: { url: string; body: unknown }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        if (init.method === 'POST') {
          posts.push({ url, body: JSON.parse(init.body as string) });
          return json({});
        }
        return json({ items: [fu('a', 'Al Later', '2026-11-25T10:00:00Z', false), fu('b', 'Bo Overdue', '2026-11-21T10:00:00Z', true), { ...fu('c', 'Cy Done', '2026-11-20T10:00:00Z', false), status: 'done' }] });
      }),
    );
    render(<FollowUpsSection />);
    await screen.findByRole('table');
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0].textContent)).toEqual(['Bo Overdue', 'Al Later']);
    expect(within(rows[0]).getAllByRole('cell')[2].textContent).toMatch(/^Overdue/);
    fireEvent.click(screen.getByRole('button', { name: 'Done: 24 hours follow-up for Bo Overdue' }));
    fireEvent.change(screen.getByLabelText('What happened?'), { target: { value: 'message_left' } });
    fireEvent.click(screen.getByRole('button', { name: 'Record follow-up' }));
    await waitFor(() => expect(posts).toEqual([{ url: '/api/v1/follow-ups/b/complete', body: { result: 'message_left' } }]));
    expect((await screen.findByRole('status')).textContent).toBe('Follow-up for Bo Overdue recorded.');
  });
});
