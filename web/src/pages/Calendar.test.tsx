import { cleanup, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appointment, json } from '../fixtures';
import type { User } from '../types';
import { byDay, CalendarPage, mondayOf } from './Calendar';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const me = { id: 'us_1', username: 'clin', display_name: 'Chidi Okafor', role: 'clinician' } as User;

describe('the calendar', () => {
  it('starts the week on Monday', () => {
    expect(mondayOf(new Date(2026, 11, 3, 15, 0)).getDate()).toBe(30); // Thu 3 Dec → Mon 30 Nov
    expect(mondayOf(new Date(2026, 11, 6, 23, 59)).getDate()).toBe(30); // Sunday belongs to the week before
    expect(mondayOf(new Date(2026, 11, 7, 0, 0)).getDate()).toBe(7);
  });

  it('puts each appointment on the day it starts, in time order', () => {
    const monday = new Date(2026, 10, 30);
    const at = (d: number, h: number) => new Date(2026, 11, d, h).toISOString();
    const days = byDay(monday, [
      appointment({ id: 'b', starts_at: at(2, 14), ends_at: at(2, 15) }),
      appointment({ id: 'a', starts_at: at(2, 9), ends_at: at(2, 10) }),
      appointment({ id: 'c', starts_at: at(7, 9), ends_at: at(7, 10) }), // next week
    ]);
    expect(days).toHaveLength(7);
    expect(days[2].items.map((a) => a.id)).toEqual(['a', 'b']);
    expect(days.flatMap((d) => d.items)).toHaveLength(2);
  });

  it('shows whom each appointment is with, and a colleague’s as busy only', async () => {
    const now = new Date();
    const start = new Date(now.getFullYear(), now.getMonth(), now.getDate(), 10).toISOString();
    const end = new Date(now.getFullYear(), now.getMonth(), now.getDate(), 11).toISOString();
    const urls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        urls.push(url);
        if (url.startsWith('/api/v1/staff')) return json({ items: [{ id: 'us_2', username: 'dana', display_name: 'Dana Reyes', role: 'clinician' }] });
        if (url.includes('clinician=us_2')) return json({ items: [appointment({ client_id: null, client_name: null, starts_at: start, ends_at: end })] });
        return json({ items: [appointment({ starts_at: start, ends_at: end })] });
      }),
    );
    render(<CalendarPage user={me} />);
    const link = await screen.findByRole('link', { name: 'Ada Lovelace' });
    expect(link.getAttribute('href')).toBe('/clients/cl_1?tab=sessions');
    const select = screen.getByLabelText(/^Whose calendar/) as HTMLSelectElement;
    await within(select).findByText('Dana Reyes (busy times)');
    select.value = 'us_2';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    await screen.findByText('Busy');
    expect(screen.queryByText('Ada Lovelace')).toBeNull();
    expect(urls.some((u) => u.includes('clinician=us_2'))).toBe(true);
  });
});
