import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { emitForTest } from '../events';
import { assessment, change, json, phq9 } from '../fixtures';
import type { Measure, Medication, Outcomes, Schedule } from '../types';
import { instrumentLabel, linkRater, MeasuresTab } from './Measures';

afterEach(() => {
  medications = [];
  cleanup();
  window.history.replaceState(null, '', '/');
});

const first = assessment('as_1', '2026-10-01T10:00:00Z', 19, {
  answers: [
    { linkId: 'q1', value: 3 },
    { linkId: 'q2', value: 3 },
    { linkId: 'q9', value: 0 },
  ],
});
const latest = assessment('as_2', '2026-11-20T10:00:00Z', 12, {
  answers: [
    { linkId: 'q1', value: 1 },
    { linkId: 'q2', value: 2 },
    { linkId: 'q9', value: 1 },
  ],
  flags: [{ code: 'suicidal_ideation', label: 'Thoughts of death or self-harm (item 9)', severity: 'critical', items: ['q9'] }],
  change: { previous: change(-7, 'reliable_improvement', { from_id: 'as_1' }), first: change(-7, 'reliable_improvement', { from_id: 'as_1' }) },
});
const measure: Measure = {
  instrument: 'phq-9',
  name: 'PHQ-9',
  count: 2,
  latest,
  first,
  bands: phq9().bands,
  total: { min: 0, max: 27 },
  higher_is_worse: true,
  reliable_change: 6,
};
const schedule: Schedule = {
  id: 'sch_1',
  client_id: 'cl_1',
  instrument: 'phq-9',
  instrument_name: 'PHQ-9',
  every_days: 14,
  start_date: '2026-10-01',
  end_date: null,
  active: true,
  next_due: { due_date: '2026-11-15', overdue: true, days_overdue: 3 },
};

const outcomeOf = (instrument: string, name: string, from: number, to: number, delta = to - from): Outcomes['measures'][number] => ({
  instrument,
  name,
  count: 2,
  first: { id: `${instrument}_1`, total: from, completed_at: '2026-10-01T10:00:00Z' },
  last: { id: `${instrument}_2`, total: to, completed_at: '2026-11-20T10:00:00Z' },
  change: change(delta, Math.abs(delta) >= 4 ? (delta < 0 ? 'reliable_improvement' : 'reliable_deterioration') : 'no_reliable_change'),
});

/** Two PHQ-9 and two GAD-7 results: the paired NHS Talking Therapies outcome. */
const paired: Outcomes = {
  measures: [outcomeOf('phq-9', 'PHQ-9', 14, 6), outcomeOf('gad-7', 'GAD-7', 11, 7)],
  talking_therapies: { phq9_first: 14, phq9_last: 6, gad7_first: 11, gad7_last: 7, case_at_start: true, recovered: true, reliable_improvement: true, reliable_deterioration: false, reliable_recovery: true },
};

const summaries = [
  { id: 'phq-9', name: 'PHQ-9', title: 'Patient Health Questionnaire-9', item_count: 3, respondents: ['self', 'clinician'], total: { min: 0, max: 27 }, item_text: 'shipped', imported: false },
  { id: 'dast-10', name: 'DAST-10', title: 'Drug Abuse Screening Test', item_count: 10, respondents: ['self', 'clinician'], total: { min: 0, max: 10 }, item_text: 'service', imported: false },
];

/** The client's medication list as the server gives it (set per test). */
let medications: Medication[] = [];

function serve(withResults = false, outcomes: () => Outcomes | Response = () => ({ measures: [], talking_therapies: null })) {
  const calls: { method: string; url: string; body?: unknown }[] = [];
  const fetchMock = vi.fn(async (url: string, init: RequestInit) => {
    const method = init.method ?? 'GET';
    calls.push({ method, url, body: init.body ? JSON.parse(init.body as string) : undefined });
    if (method === 'GET' && url === '/api/v1/clients/cl_1/measures') return json({ items: [withResults ? { ...measure, results: [first, latest] } : measure] });
    if (method === 'GET' && url === '/api/v1/clients/cl_1/outcomes') {
      const o = outcomes();
      return o instanceof Response ? o : json(o);
    }
    if (method === 'GET' && url === '/api/v1/instruments') return json({ items: summaries });
    if (method === 'GET' && url === '/api/v1/instruments/phq-9') return json(phq9());
    if (method === 'GET' && url === '/api/v1/clients/cl_1/assessments?instrument=phq-9') return json({ items: [latest, first] });
    if (method === 'GET' && url === '/api/v1/clients/cl_1/schedules') return json({ items: [schedule] });
    if (method === 'GET' && url === '/api/v1/clients/cl_1/medications') return json({ items: medications });
    if (method === 'POST' && url === '/api/v1/clients/cl_1/assessment-links')
      return json({ token: 'tok_1', url: '/a/tok_1', expires_at: '2026-11-27T10:00:00Z', instrument: 'phq-9' }, 201);
    if (method === 'POST' && url === '/api/v1/clients/cl_1/schedules') return json({ ...schedule, id: 'sch_2', every_days: 28 }, 201);
    if (method === 'DELETE' && url === '/api/v1/clients/cl_1/schedules/sch_1') return json({ ...schedule, active: false });
    throw new Error(`unexpected ${method} ${url}`);
  });
  vi.stubGlobal('fetch', fetchMock);
  return calls;
}

describe('the Measures tab', () => {
  it('says the latest band and change in words, shows critical flags, and the answers on demand', async () => {
    serve();
    render(<MeasuresTab clientId="cl_1" />);
    const card = (await screen.findByRole('heading', { name: 'PHQ-9' })).closest('section')!;
    expect(card.querySelector('.measure-latest')!.textContent).toContain('Latest: 12 of 27, Moderate');
    expect(card.querySelector('.measure-change')!.textContent).toBe('Down 7 since first — reliable improvement.');
    const flag = await within(card).findByRole('note', { name: 'Needs attention today' });
    await waitFor(() => expect(flag.textContent).toContain('item 9 answered “Several days”'));

    const table = await within(card).findByRole('table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0].textContent).toContain('−7, reliable improvement');
    expect(rows[0].textContent).toContain('(reliable improvement since the previous result)');
    expect(rows[1].textContent).toContain('First result');
    await waitFor(() => expect(card.querySelectorAll('g.point')).toHaveLength(2));

    const show = within(rows[0]).getByRole('button', { name: /Show answers of/ });
    expect(show.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(show);
    const answers = await within(card).findByRole('table', { name: /Answers to the PHQ-9/ });
    const text = answers.textContent!;
    expect(text).toContain('Little interest or pleasure in doing things');
    expect(text).toContain('More than half the days');
    expect(text).toContain('Flagged: Thoughts of death or self-harm (item 9)');
    expect(within(rows[0]).getByRole('button', { name: /Hide answers of/ }).getAttribute('aria-expanded')).toBe('true');

    // a point on the chart opens the same detail
    fireEvent.click(card.querySelector('g.point[data-id="as_1"]')!);
    await waitFor(() => expect(within(card).getByRole('table', { name: /Answers to the PHQ-9/ }).textContent).toContain('Nearly every day'));
  });

  it('reloads when a result for this client is scored', async () => {
    const calls = serve();
    render(<MeasuresTab clientId="cl_1" />);
    await screen.findByRole('heading', { name: 'PHQ-9' });
    await waitFor(() => expect(calls.filter((c) => c.url.includes('assessments?instrument')).length).toBe(1));
    const before = calls.filter((c) => c.url.endsWith('/measures')).length;
    await act(() => emitForTest('assessment.scored', { client_id: 'cl_other', assessment_id: 'as_9', instrument: 'phq-9' }));
    await act(() => emitForTest('assessment.scored', { client_id: 'cl_1', assessment_id: 'as_3', instrument: 'phq-9' }));
    await waitFor(() => expect(calls.filter((c) => c.url.endsWith('/measures')).length).toBe(before + 1));
    await waitFor(() => expect(calls.filter((c) => c.url.includes('assessments?instrument')).length).toBe(2));
  });

  it('uses the results the measures answer carries, without asking again', async () => {
    const calls = serve(true);
    render(<MeasuresTab clientId="cl_1" />);
    const card = (await screen.findByRole('heading', { name: 'PHQ-9' })).closest('section')!;
    const rows = within(await within(card).findByRole('table')).getAllByRole('row').slice(1) as HTMLTableRowElement[];
    // newest first in the table, though the answer lists them oldest first
    expect(rows.map((r) => r.cells[1].textContent)).toEqual(['12 of 27, ModerateFlag', '19 of 27, Moderately severe']);
    expect(calls.some((c) => c.url.includes('/assessments?'))).toBe(false);
    await act(() => emitForTest('assessment.scored', { client_id: 'cl_1', assessment_id: 'as_3', instrument: 'phq-9' }));
    await waitFor(() => expect(calls.filter((c) => c.url.endsWith('/measures')).length).toBe(2));
  });

  it('makes a link to send, with the full address to copy', async () => {
    const calls = serve();
    render(<MeasuresTab clientId="cl_1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Send a link' }));
    const shown = await screen.findByText(`${window.location.origin}/a/tok_1`);
    expect(shown.id).toBe('assessment-link');
    expect(screen.getByRole('button', { name: 'Copy link' })).toBeTruthy();
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ instrument: 'phq-9', rater: 'self' });
    expect(screen.getByRole('link', { name: 'Administer now' }).getAttribute('href')).toBe('/clients/cl_1/assess/phq-9');
  });

  it('lists schedules with what is overdue, adds one and stops one', async () => {
    const calls = serve();
    render(<MeasuresTab clientId="cl_1" />);
    const item = (await screen.findByText('PHQ-9', { selector: '.schedule-what strong' })).closest('li')!;
    expect(item.textContent).toContain('every 14 days');
    expect(item.textContent).toContain('Overdue by 3 days');

    fireEvent.input(screen.getByLabelText('Every (days)'), { target: { value: 'often' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add schedule' }));
    expect(await screen.findByText('Enter a whole number of days, 1 or more.')).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Every (days)'), { target: { value: '28' } });
    fireEvent.input(screen.getByLabelText(/Starting on/), { target: { value: '2026-12-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add schedule' }));
    await screen.findByText('PHQ-9 every 28 days added.');
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ instrument: 'phq-9', every_days: 28, start_date: '2026-12-01' });

    fireEvent.click(screen.getByRole('button', { name: 'Stop PHQ-9 every 14 days' }));
    await screen.findByText('PHQ-9 every 14 days stopped.');
    expect(calls.some((c) => c.method === 'DELETE' && c.url === '/api/v1/clients/cl_1/schedules/sch_1')).toBe(true);
  });

  it('opens with the outcome so far: first → latest of each measure and the NHS Talking Therapies outcome', async () => {
    serve(false, () => paired);
    render(<MeasuresTab clientId="cl_1" />);
    const section = (await screen.findByRole('heading', { name: 'Outcome so far' })).closest('section')!;
    // at the top of the tab, before giving a questionnaire
    expect(section.compareDocumentPosition(screen.getByRole('heading', { name: 'Give a questionnaire' })) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(section.querySelector('.outcome-tt')!.textContent).toBe('Recovered and reliably improved (NHS Talking Therapies definitions: PHQ-9 14 → 6, GAD-7 11 → 7)');
    const items = within(section).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^PHQ-9: 14 → 6 \(.+ to .+, 2 results\)\. Down 8 since first — reliable improvement\.$/),
      expect.stringMatching(/^GAD-7: 11 → 7 \(.+, 2 results\)\. Down 4 since first — reliable improvement\.$/),
    ]);
  });

  it('states a reliable deterioration plainly, and leaves the paired outcome out until there are pairs', async () => {
    let answer: Outcomes = {
      ...paired,
      talking_therapies: { phq9_first: 9, phq9_last: 16, gad7_first: 6, gad7_last: 7, case_at_start: false, recovered: false, reliable_improvement: false, reliable_deterioration: true, reliable_recovery: false },
    };
    const calls = serve(false, () => answer);
    render(<MeasuresTab clientId="cl_1" />);
    const tt = await screen.findByText(/^Reliable deterioration\./);
    expect(tt.textContent).toBe('Reliable deterioration. Not in the clinical range at the start: recovery does not apply (NHS Talking Therapies definitions: PHQ-9 9 → 16, GAD-7 6 → 7)');
    expect(tt.classList.contains('outcome-tt--worse')).toBe(true);

    // a new result: the outcomes are asked for again with the measures
    answer = { measures: [outcomeOf('phq-9', 'PHQ-9', 9, 16)], talking_therapies: null };
    const before = calls.filter((c) => c.url.endsWith('/outcomes')).length;
    await act(() => emitForTest('assessment.scored', { client_id: 'cl_1', assessment_id: 'as_3', instrument: 'phq-9' }));
    await waitFor(() => expect(calls.filter((c) => c.url.endsWith('/outcomes')).length).toBe(before + 1));
    await waitFor(() => expect(document.querySelector('.outcome-tt')).toBeNull());
    const section = screen.getByRole('heading', { name: 'Outcome so far' }).closest('section')!;
    expect(within(section).getAllByRole('listitem')).toHaveLength(1);
    expect(section.textContent).toContain('PHQ-9: 9 → 16');
  });

  it('has no outcome before a second result, nor from a server without outcomes', async () => {
    serve(false, () => ({ measures: [{ ...outcomeOf('phq-9', 'PHQ-9', 19, 19), count: 1, change: null }], talking_therapies: null }));
    render(<MeasuresTab clientId="cl_1" />);
    await screen.findByRole('heading', { name: 'PHQ-9' });
    expect(screen.queryByRole('heading', { name: 'Outcome so far' })).toBeNull();
    cleanup();

    serve(false, () => json({ type: 'about:blank', title: 'Not found', status: 404 }, 404));
    render(<MeasuresTab clientId="cl_1" />);
    await screen.findByRole('heading', { name: 'PHQ-9' });
    expect(screen.queryByRole('heading', { name: 'Outcome so far' })).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('marks questionnaires whose wording the service adds, in both pickers', async () => {
    serve();
    render(<MeasuresTab clientId="cl_1" />);
    const give = (await screen.findByRole('heading', { name: 'Give a questionnaire' })).closest('section')!;
    await waitFor(() => expect(within(give).getAllByRole('option')).toHaveLength(2));
    expect(within(give).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'PHQ-9 — Patient Health Questionnaire-9',
      'DAST-10 — Drug Abuse Screening Test (wording added by your service)',
    ]);
    const schedules = screen.getByRole('heading', { name: 'Schedules' }).closest('section')!;
    expect(within(schedules).getAllByRole('option').map((o) => o.textContent)).toEqual(['PHQ-9', 'DAST-10 (wording added by your service)']);
    expect(instrumentLabel({ name: 'MDQ', title: '', item_text: 'service' }, true)).toBe('MDQ (wording added by your service)');
  });

  it('sends a link to whoever answers the instrument', () => {
    expect(linkRater(['self', 'clinician'])).toBe('self');
    expect(linkRater(['parent', 'teacher'])).toBe('parent');
  });

  it('marks a medication change on the graph’s time axis and says it in the chart’s description', async () => {
    medications = [
      {
        id: 'md_1',
        client_id: 'cl_1',
        name: 'Sertraline',
        dose: '100 mg',
        route: 'oral',
        frequency: 'once daily',
        started_on: '2026-09-20',
        stopped_on: null,
        current: true,
        reason: '',
        changes: [
          { kind: 'start', on: '2026-09-20', dose: '50 mg', frequency: 'once daily', reason: '', by: { id: 'us_2', name: 'Dr Rx' }, at: '2026-09-20T10:00:00Z' },
          { kind: 'dose', on: '2026-10-25', dose: '100 mg', frequency: 'once daily', reason: '', by: { id: 'us_2', name: 'Dr Rx' }, at: '2026-10-25T10:00:00Z' },
        ],
        updated_at: '2026-10-25T10:00:00Z',
        version: 2,
      },
    ];
    serve(true);
    const { container } = render(<MeasuresTab clientId="cl_1" />);
    await waitFor(() => expect(container.querySelectorAll('.event-mark[data-on]').length).toBe(2));
    expect(Array.from(container.querySelectorAll('.event-mark[data-on]')).map((g) => g.getAttribute('data-on'))).toEqual(['2026-09-20', '2026-10-25']);
    expect(container.querySelector('desc')?.textContent).toContain('Sertraline 50 mg → 100 mg');
  });
});
