import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dayTime, type CheckIn } from '../checkIns';
import { layoutCheckInChart } from '../components/CheckInChart';
import { assessment, json } from '../fixtures';
import { frameFor, plotPoints } from '../measureChart';
import { checkInSummary, CheckInsTab, CheckInTable, measureTimes } from './ChartCheckIns';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const ci = (date: string, over: Partial<CheckIn> = {}): CheckIn => ({
  id: `ci_${date}`,
  date,
  mood: 5,
  anxiety: null,
  sleep_hours: null,
  sleep_quality: null,
  energy: null,
  self_harm_urge: 1,
  medication: null,
  factors: [],
  note: null,
  share_note: false,
  created_at: `${date}T08:00:00Z`,
  updated_at: `${date}T08:00:00Z`,
  ...over,
});

describe('check-ins in the clinician’s chart', () => {
  it('lines a check-in day up with a measure result of the same day on the shared axis', () => {
    const results = [assessment('as_1', '2026-10-01T12:00:00Z', 14), assessment('as_2', '2026-11-01T12:00:00Z', 9)];
    const domain: [number, number] = [Date.parse('2026-10-01T12:00:00Z'), dayTime('2026-11-20')];
    const frame = frameFor(640);
    const measure = plotPoints(results, { min: 0, max: 27 }, frame, [], domain);
    const checkIns = layoutCheckInChart(640, { points: [{ date: '2026-10-01', value: 4 }, { date: '2026-11-01', value: 6 }, { date: '2026-11-20', value: 7 }], scale: { min: 0, max: 10 }, domain });
    expect(checkIns.points[0].x).toBeCloseTo(measure[0].x, 6);
    expect(checkIns.points[1].x).toBeCloseTo(measure[1].x, 6);
    // the last check-in is the end of the axis, after the last measure
    expect(checkIns.points[2].x).toBeGreaterThan(measure[1].x);
    expect(measureTimes([{ instrument: 'phq-9', name: 'PHQ-9', count: 2, first: results[0], latest: results[1], results, bands: [], total: { min: 0, max: 27 }, higher_is_worse: true, reliable_change: 6 }])).toEqual([
      Date.parse('2026-10-01T12:00:00Z'),
      Date.parse('2026-11-01T12:00:00Z'),
    ]);
  });

  it('marks strong urges (3 or more) on the graph and in words', () => {
    const items = [ci('2026-11-28', { self_harm_urge: 2 }), ci('2026-11-29', { self_harm_urge: 4, mood: 2 }), ci('2026-11-30', { self_harm_urge: 3 })];
    const layout = layoutCheckInChart(640, { points: items.map((c) => ({ date: c.date, value: c.mood })), scale: { min: 0, max: 10 }, urges: items.map((c) => ({ date: c.date, value: c.self_harm_urge! })) });
    expect(layout.urges.map((u) => u.strong)).toEqual([false, true, true]);
    expect(checkInSummary(items)).toMatch(/Strong urges to self-harm \(3 or more of 5\) on .*\(4\), .*\(3\)\./);
    expect(checkInSummary([ci('2026-11-28', { self_harm_urge: 0 })])).toContain('No strong urges to self-harm reported.');
  });

  it('shows a note only when the server sent it (shared), and marks strong urges in words', () => {
    render(<CheckInTable caption="Check-ins" items={[ci('2026-11-29', { self_harm_urge: 4, note: 'Hard evening, called my sister', share_note: true }), ci('2026-11-30', { note: null, factors: ['own_knitting', 'exercise'], factor_labels: ['Knitting', 'Exercise'] })]} />);
    const rows = screen.getAllByRole('row');
    expect(rows.slice(1).map((r) => r.getAttribute('data-date'))).toEqual(['2026-11-30', '2026-11-29']); // newest first
    expect(rows[2].textContent).toContain('Hard evening, called my sister');
    expect(rows[2].textContent).toContain('Strong urge');
    expect(rows[1].textContent).not.toContain('Strong urge');
    expect(rows[1].querySelector('.note-cell')!.textContent).toBe('—');
    expect(rows[1].textContent).toContain('Knitting, Exercise'); // the labels the server gives staff
  });

  it('the Check-ins tab reads the client’s check-ins and draws them', async () => {
    const asked: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        asked.push(url);
        return json({ items: [ci('2026-11-29', { self_harm_urge: 4 }), ci('2026-11-30')] });
      }),
    );
    render(<CheckInsTab clientId="cl_1" />);
    const graph = await screen.findByRole('img', { name: /mood and urges/ });
    expect(graph.querySelectorAll('.urge--strong')).toHaveLength(1);
    expect(asked[0]).toMatch(/^\/api\/v1\/clients\/cl_1\/check-ins\?from=\d{4}-\d\d-\d\d&to=\d{4}-\d\d-\d\d$/);
  });
});
