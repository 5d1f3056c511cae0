import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assessment, json, phq9, PHQ9_INSTRUCTIONS, safetyPlan, valuelessItem } from '../fixtures';
import { resetPortalDataForTest } from '../portalData';
import type { Schedule, User } from '../types';
import { dueSchedules, groupByInstrument, PortalQuestionnaire } from './Portal';
import { sortDue } from './Home';

afterEach(cleanup);

const me: User = {
  id: 'us_c',
  username: 'ada',
  display_name: 'Ada',
  role: 'client',
  email: null,
  disabled: false,
  totp_enabled: false,
  client_id: 'cl_1',
  created_at: '2026-01-01T00:00:00Z',
};

const resources = {
  region: 'US',
  name: 'United States',
  emergency: { number: '911', label: 'Emergency services' },
  lines: [{ name: '988 Suicide & Crisis Lifeline', phone: '988', text: '988', hours: '24/7', description: 'Call or text 988.' }],
};

describe('the portal questionnaire', () => {
  beforeEach(resetPortalDataForTest);

  it('ends with plain words when nothing shows risk', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => (init.method === 'GET' ? json(phq9()) : json(assessment('as_1', '2026-11-20T10:00:00Z', 3), 201))),
    );
    render(<PortalQuestionnaire user={me} instrumentId="phq-9" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Start' }));
    for (let n = 0; n < 3; n++) {
      const r = screen.getByRole('radio', { name: 'Not at all' });
      fireEvent.pointerDown(r);
      fireEvent.click(r);
    }
    fireEvent.click(screen.getByRole('button', { name: 'Send my answers' }));
    await screen.findByRole('heading', { name: 'Thank you. Your answers have been sent.' });
  });

  it('after an answer that shows risk: the crisis lines and safety plan, in kind words instead of flag language', async () => {
    const flagged = assessment('as_9', '2026-11-20T10:00:00Z', 14, {
      flags: [{ code: 'suicidal_ideation', label: 'Thoughts of death or self-harm (item 9)', severity: 'critical', items: ['q9'] }],
    });
    const posts: { url: string; body: unknown; key: string }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init: RequestInit) => {
        if (url === '/api/v1/me/safety-plan') return json(safetyPlan(2));
        if (url === '/api/v1/me/crisis-resources') return json(resources);
        // an imported PHQ-9: its unscored last question has no options
        if (init.method === 'GET') return json(phq9([...phq9().items, valuelessItem()]));
        posts.push({ url, body: JSON.parse(init.body as string), key: (init.headers as Record<string, string>)['Idempotency-Key'] });
        return json(flagged, 201);
      }),
    );
    render(<PortalQuestionnaire user={me} instrumentId="phq-9" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Start' }));
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Question 1 of 3');
    for (const [n, label] of ['Several days', 'Several days', 'Several days'].entries()) {
      // the instructions above every question: "how often …" is what each one answers
      expect(screen.getByRole('heading', { level: 2 }).textContent).toBe(`Question ${n + 1} of 3`);
      expect(document.querySelector('.question-instructions')!.textContent).toBe(PHQ9_INSTRUCTIONS);
      const r = screen.getByRole('radio', { name: label });
      fireEvent.pointerDown(r);
      fireEvent.click(r);
    }
    fireEvent.click(screen.getByRole('button', { name: 'Send my answers' }));
    await screen.findByRole('heading', { name: 'Thank you for telling us how things are' });
    await screen.findByText('Your answers have reached your care team. Someone will contact you soon to see how you are.');
    expect(posts[0].url).toBe('/api/v1/clients/cl_1/assessments');
    expect(posts[0].body).toMatchObject({ instrument: 'phq-9', rater: 'self' });
    expect((posts[0].body as { answers: { linkId: string }[] }).answers.map((a) => a.linkId)).toEqual(['q1', 'q2', 'q9']);
    expect(posts[0].key).toMatch(/^[0-9a-f-]{36}$/);
    await screen.findByText('Not sleeping');
    const text = document.body.textContent!;
    expect(text).not.toContain('Moderate symptoms.');
    expect(screen.getByRole('link', { name: 'Call 988: 988 Suicide & Crisis Lifeline' }).getAttribute('href')).toBe('tel:988');
    expect(text).not.toMatch(/Thoughts of death|critical|flag/i);
    expect(screen.getByRole('link', { name: 'Back to home' }).getAttribute('href')).toBe('/portal');
  });
});

const sched = (id: string, instrument: string, due: string | null, active = true): Schedule => ({
  id,
  client_id: 'cl_1',
  instrument,
  instrument_name: instrument.toUpperCase(),
  every_days: 14,
  start_date: '2026-01-01',
  end_date: null,
  active,
  next_due: due ? { due_date: due, overdue: false, days_overdue: 0 } : null,
});

describe('what is due', () => {
  it('the portal lists active schedules due today or before, oldest first', () => {
    const due = dueSchedules([sched('a', 'gad-7', '2026-11-20'), sched('b', 'phq-9', '2026-11-10'), sched('c', 'who-5', '2026-11-21'), sched('d', 'k10', '2026-11-01', false), sched('e', 'pcl-5', null)], '2026-11-20');
    expect(due.map((s) => s.id)).toEqual(['b', 'a']);
  });

  it('leaves out measures the client cannot answer themselves (no wording, or clinician-rated)', () => {
    const clinicianOnly = { ...sched('f', 'dast-10', '2026-11-10'), self_answerable: false };
    const selfReport = { ...sched('g', 'gad-7', '2026-11-12'), self_answerable: true };
    expect(dueSchedules([clinicianOnly, selfReport], '2026-11-20').map((s) => s.id)).toEqual(['g']);
  });

  it('the caseload shows overdue first, longest overdue at the top', () => {
    const d = (client_name: string, due_date: string, days_overdue: number) => ({
      client_id: client_name,
      client_name,
      instrument: 'phq-9',
      instrument_name: 'PHQ-9',
      schedule_id: `s-${client_name}`,
      due_date,
      overdue: days_overdue > 0,
      days_overdue,
    });
    const sorted = sortDue([d('Bo', '2026-11-20', 0), d('Cy', '2026-11-10', 10), d('Al', '2026-11-18', 2), d('Di', '2026-11-19', 0)]);
    expect(sorted.map((x) => x.client_name)).toEqual(['Cy', 'Al', 'Di', 'Bo']);
  });

  it('groups a client’s own results by questionnaire, newest first', () => {
    const groups = groupByInstrument([
      assessment('3', '2026-11-03T00:00:00Z', 5),
      { ...assessment('2', '2026-11-02T00:00:00Z', 7), instrument: 'gad-7', instrument_name: 'GAD-7' },
      assessment('1', '2026-11-01T00:00:00Z', 9),
    ]);
    expect(groups.map((g) => [g.name, g.results.map((a) => a.id)])).toEqual([
      ['PHQ-9', ['3', '1']],
      ['GAD-7', ['2']],
    ]);
  });
});
