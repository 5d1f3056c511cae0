import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetQueueForTest } from '../checkInQueue';
import type { CheckIn, CheckInSummary } from '../checkIns';
import { json } from '../fixtures';
import { todayISO } from '../format';
import { DiaryPage, seriesSummary } from './PortalDiary';

const today = todayISO();

const summary = (span: 'week' | 'month' | 'year'): CheckInSummary => ({
  today,
  span,
  from: '2026-11-26',
  to: '2026-12-02',
  streak: { current: 2, best: 6, last_7: 5, last_30: 11 },
  series: {
    mood: [
      { date: '2026-11-30', value: 4, count: 1 },
      { date: '2026-12-01', value: 6, count: 1 },
      { date: '2026-12-02', value: 7, count: 1 },
    ],
  },
  patterns: [
    {
      factor_id: 'exercise',
      label: 'Exercise',
      days_with: 6,
      days_without: 8,
      mean_with: 6.5,
      mean_without: 4.8,
      verdict: true,
      text: 'On days with Exercise your mood was 6.5 on average, and 4.8 on days without.',
    },
  ],
});

const entry = (date: string, over: Partial<CheckIn> = {}): CheckIn => ({
  id: `ci_${date}`,
  date,
  mood: 6,
  anxiety: 3,
  sleep_hours: 7.5,
  sleep_quality: 3,
  energy: null,
  self_harm_urge: 0,
  medication: 'yes',
  factors: ['exercise'],
  note: null,
  share_note: false,
  created_at: `${date}T08:00:00Z`,
  updated_at: `${date}T08:00:00Z`,
  ...over,
});

beforeEach(() => {
  localStorage.clear();
  resetQueueForTest();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('my diary', () => {
  it('counts check-ins without guilt, charts the week, words patterns as the server does, and offers the CSV', async () => {
    const asked: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        asked.push(url);
        if (url.startsWith('/api/v1/me/check-ins/summary')) return json(summary(new URL(url, 'http://x').searchParams.get('span') as 'week'));
        if (url.startsWith('/api/v1/me/check-ins?')) return json({ items: [entry(today, { note: 'Saw Sam', share_note: true }), entry('2026-11-20', { mood: 3 })] });
        if (url === '/api/v1/me/factors') return json({ items: [{ id: 'exercise', label: 'Exercise', kind: 'activity', own: false }] });
        return json({ status: 404 }, 404);
      }),
    );
    render(<DiaryPage owner="us_ada" />);
    await screen.findByText('You checked in on 5 of the last 7 days.');
    expect(document.body.textContent).not.toMatch(/broke|missed/i);
    const chart = await screen.findByRole('img', { name: /Mood, week to/ });
    expect(chart.querySelectorAll('.dot')).toHaveLength(3);
    expect(chart.querySelector('desc')!.textContent).toContain('3 days from');
    screen.getByText('On days with Exercise your mood was 6.5 on average, and 4.8 on days without.');
    screen.getByText(/A pattern, not proof of cause\./);
    const csv = screen.getByRole('link', { name: 'Download my diary (CSV)' });
    expect(csv.getAttribute('href')).toBe('/api/v1/me/check-ins.csv');
    await screen.findByText('“Saw Sam”');
    screen.getByText('(shared with your care team)');
    screen.getAllByText(/slept 7½ hours/);
    // the table alternative lists every value
    screen.getByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Month' }));
    await waitFor(() => expect(asked).toContain('/api/v1/me/check-ins/summary?span=month'));
    expect(screen.getByRole('button', { name: 'Month' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('invites, rather than counts zero, when there are no recent check-ins', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        if (url.startsWith('/api/v1/me/check-ins/summary')) return json({ ...summary('week'), streak: { current: 0, best: 4, last_7: 0, last_30: 0 }, series: {}, patterns: [] });
        if (url.startsWith('/api/v1/me/check-ins?')) return json({ items: [] });
        return json({ items: [] });
      }),
    );
    render(<DiaryPage owner="us_ada" />);
    await screen.findByText('Whenever you are ready, a check-in takes under a minute.');
    screen.getByText('Nothing to show for this week yet.');
    expect(screen.queryByRole('heading', { name: 'Patterns' })).toBeNull();
  });

  it('describes a year of weekly means in words', () => {
    expect(seriesSummary('Mood', [{ date: '2026-01-05', week: '2026-W02', value: 5.25, count: 4 }, { date: '2026-01-12', week: '2026-W03', value: 6, count: 7 }], 'year')).toMatch(/^Mood: 2 weeks \(weekly means\) from .* between 5\.3 and 6\./);
    expect(seriesSummary('Energy', [], 'month')).toBe('No energy ratings in this month yet.');
  });
});
