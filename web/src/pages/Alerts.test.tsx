import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { alert, json } from '../fixtures';
import type { Alert } from '../types';
import { AlertBoardPage, AlertPage } from './Alerts';

afterEach(cleanup);

describe('the alert board', () => {
  it('lists the most urgent first, with the level in words, the step, an overdue deadline and who acknowledged', async () => {
    const soon = new Date(Date.now() + 4 * 60_000).toISOString();
    const late = new Date(Date.now() - 3 * 60_000).toISOString();
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        json({
          items: [
            alert('al_low', { level: 'low', client_name: 'Lo Client', deadline_at: soon }),
            alert('al_ack', { level: 'imminent', status: 'acknowledged', client_name: 'Ack Client', acknowledged_by: { id: 'us_2', name: 'Dana Reyes' } }),
            alert('al_high', { level: 'high', client_name: 'Hi Client', deadline_at: late, step: 2, step_name: 'on_call' }),
          ],
          next_cursor: null,
        }),
      ),
    );
    render(<AlertBoardPage status={null} />);
    await screen.findByRole('table');
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[1].textContent)).toEqual(['Hi Client', 'Lo Client', 'Ack Client']);
    const high = within(rows[0]).getAllByRole('cell').map((c) => c.textContent);
    expect(high.slice(0, 5)).toEqual(['High risk', 'Hi Client', 'PHQ-9 item 9: thoughts of death or self-harm', 'Open', 'On-call']);
    expect(high[5]).toMatch(/^Overdue by 3 min/);
    expect(rows[0].className).toBe('overdue');
    expect(within(rows[2]).getAllByRole('cell')[6].textContent).toBe('Dana Reyes');
    expect(within(rows[0]).getByRole('link', { name: 'Hi Client' }).getAttribute('href')).toBe('/clients/cl_1');
    expect(vi.mocked(fetch).mock.calls[0][0]).toBe('/api/v1/alerts?status=active&limit=100');
  });
});

describe('resolving an alert', () => {
  function server(resolve: (body: Record<string, string>) => Response) {
    const posts: Record<string, string>[] = [];
    const detail: Alert = {
      ...alert('al_1', { status: 'acknowledged', acknowledged_by: { id: 'us_1', name: 'Chidi Okafor' } }),
      timeline: [
        { at: '2026-11-23T10:00:00Z', kind: 'raised' },
        { at: '2026-11-23T10:00:01Z', kind: 'notified', user: { id: 'us_1', name: 'Chidi Okafor' }, channel: 'live' },
        { at: '2026-11-23T10:00:02Z', kind: 'delivery_failed', user: { id: 'us_1', name: 'Chidi Okafor' }, channel: 'email', detail: 'smtp refused' },
        { at: '2026-11-23T10:02:00Z', kind: 'acknowledged', user: { id: 'us_1', name: 'Chidi Okafor' } },
      ],
    };
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        if (init.method === 'POST' && url === '/api/v1/alerts/al_1/resolve') {
          const body = JSON.parse(init.body as string);
          posts.push(body);
          return resolve(body);
        }
        return json(detail);
      }),
    );
    return posts;
  }

  it('shows the timeline, and asks for a note with “Other” before sending anything', async () => {
    const posts = server(() => json(alert('al_1', { status: 'resolved' })));
    render(<AlertPage id="al_1" />);
    await screen.findByText('Delivery failed to Chidi Okafor by email');
    expect(document.querySelector('.timeline')!.textContent).toContain('Acknowledged by Chidi Okafor');
    fireEvent.click(screen.getByRole('button', { name: 'Resolve…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Resolve alert' }));
    await waitFor(() => expect(screen.getByLabelText('What happened?').getAttribute('aria-invalid')).toBe('true'));
    fireEvent.change(screen.getByLabelText('What happened?'), { target: { value: 'other' } });
    fireEvent.click(screen.getByRole('button', { name: 'Resolve alert' }));
    const note = screen.getByLabelText(/^Note/);
    await waitFor(() => expect(note.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById('resolve-note-error')!.textContent).toContain('a note is needed with “Other”');
    expect(posts).toEqual([]);
    fireEvent.input(note, { target: { value: 'Client phoned back, safe at home' } });
    fireEvent.click(screen.getByRole('button', { name: 'Resolve alert' }));
    await waitFor(() => expect(posts).toEqual([{ outcome: 'other', note: 'Client phoned back, safe at home' }]));
  });

  it('puts the server’s 422 field errors beside the fields', async () => {
    server(() =>
      json(
        {
          type: 'https://tend.dev/problems/validation',
          title: 'Some fields are not valid',
          status: 422,
          detail: 'invalid fields: note',
          errors: [{ field: 'note', message: 'is required when no contact was possible' }],
        },
        422,
      ),
    );
    render(<AlertPage id="al_1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Resolve…' }));
    fireEvent.change(screen.getByLabelText('What happened?'), { target: { value: 'contacted_client' } });
    fireEvent.click(screen.getByRole('button', { name: 'Resolve alert' }));
    await waitFor(() => expect(document.getElementById('resolve-note-error')?.textContent).toContain('Is required when no contact was possible'));
    expect(screen.getByLabelText(/^Note/).getAttribute('aria-invalid')).toBe('true');
    expect(document.querySelector('#resolve .form-error')!.textContent).toBe('Please correct the marked field.');
  });
});
