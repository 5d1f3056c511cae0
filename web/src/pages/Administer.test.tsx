import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../api';
import { assessment, change, choiceItem, json, phq9, PHQ9_INSTRUCTIONS, valuelessItem } from '../fixtures';
import type { Instrument } from '../types';
import { AdministerPage, completedAt, defaultRater } from './Administer';

const client = { id: 'cl_1', mrn: 'M1', given_name: 'Ada', family_name: 'Lovelace', preferred_name: null, pronouns: null, date_of_birth: '1990-12-10', status: 'active' };

type Post = { url: string; key: string | undefined; body: Record<string, unknown> };

/** GETs of the client and the instrument answer at once; each POST takes the next of `answers`. */
function server(answers: (() => Response | Promise<Response>)[], instrument: Instrument = phq9()) {
  const posts: Post[] = [];
  const fetchMock = vi.fn(async (url: string, init: RequestInit) => {
    if (init.method === 'GET' && url === '/api/v1/clients/cl_1') return json(client);
    if (init.method === 'GET' && url === `/api/v1/instruments/${instrument.id}`) return json(instrument);
    if (init.method === 'POST') {
      const headers = init.headers as Record<string, string>;
      posts.push({ url, key: headers['Idempotency-Key'], body: JSON.parse(init.body as string) });
      const next = answers.shift();
      if (!next) throw new Error('unexpected POST');
      return next();
    }
    throw new Error(`unexpected ${init.method} ${url}`);
  });
  vi.stubGlobal('fetch', fetchMock);
  return posts;
}

async function fillAll() {
  await screen.findByRole('heading', { name: 'PHQ-9 for Ada Lovelace' });
  const groups = screen.getAllByRole('group').filter((g) => g.classList.contains('question'));
  fireEvent.click(groups[0].querySelectorAll('input')[1]); // Several days
  fireEvent.click(groups[1].querySelectorAll('input')[0]); // Not at all
  fireEvent.click(groups[2].querySelectorAll('input')[1]); // Several days (item 9)
}

const recorded = assessment('as_2', '2026-11-20T10:00:00Z', 12, {
  answers: [
    { linkId: 'q1', value: 1 },
    { linkId: 'q2', value: 0 },
    { linkId: 'q9', value: 1 },
  ],
  flags: [{ code: 'suicidal_ideation', label: 'Thoughts of death or self-harm (item 9)', severity: 'critical', items: ['q9'] }],
  change: { previous: change(-7, 'reliable_improvement'), first: change(-9, 'reliable_improvement', { from_id: 'as_0' }) },
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

/** A phone: the page lays out one item per screen. */
function narrowScreen() {
  vi.stubGlobal('matchMedia', (query: string) => ({ matches: true, media: query, addEventListener() {}, removeEventListener() {} }));
}

/** DAST-10 as Tend ships it: the licence keeps the wording out, so the items read "Item 1". */
const dast10: Instrument = {
  ...phq9([choiceItem('q1', 'Item 1', { options: [{ value: 0, label: 'No' }, { value: 1, label: 'Yes' }] }), choiceItem('q2', 'Item 2', { options: [{ value: 0, label: 'No' }, { value: 1, label: 'Yes' }] })]),
  id: 'dast-10',
  name: 'DAST-10',
  title: 'Drug Abuse Screening Test (DAST-10)',
  item_text: 'service',
  instructions: ['Licensed wording is supplied by the service. Each of the ten items is answered No or Yes and is about the past 12 months.'],
};

describe('administering a questionnaire', () => {
  it('retries after a network error with the same Idempotency-Key, then shows the result', async () => {
    setCsrfToken('csrf-1');
    const posts = server([
      () => {
        throw new TypeError('Failed to fetch');
      },
      () => json(recorded, 201),
    ]);
    render(<AdministerPage clientId="cl_1" instrumentId="phq-9" />);
    await fillAll();
    fireEvent.click(screen.getByRole('button', { name: 'Save and score' }));

    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/could not be reached.*still here/));
    // the answers stay where they were
    expect((screen.getAllByRole('radio', { name: 'Several days' })[0] as HTMLInputElement).checked).toBe(true);

    fireEvent.click(screen.getByRole('button', { name: 'Save and score' }));
    await screen.findByRole('heading', { name: 'Result recorded' });

    expect(posts).toHaveLength(2);
    expect(posts[0].key).toMatch(/^[0-9a-f-]{36}$/);
    expect(posts[1].key).toBe(posts[0].key);
    expect(posts[0].url).toBe('/api/v1/clients/cl_1/assessments');
    expect(posts[0].body).toEqual({
      instrument: 'phq-9',
      rater: 'self',
      answers: [
        { linkId: 'q1', value: 1 },
        { linkId: 'q2', value: 0 },
        { linkId: 'q9', value: 1 },
      ],
    });

    // the result: total of max, band, the critical flag with the answer given, change in words
    const result = document.querySelector('.result')!.textContent!;
    expect(result).toContain('12 of 27');
    expect(result).toContain('Moderate');
    expect(result).toContain('Down 7 since previous — reliable improvement');
    expect(result).toContain('Down 9 since first — reliable improvement');
    const flag = screen.getByRole('note', { name: 'Needs attention today' });
    expect(flag.textContent).toContain('Thoughts of death or self-harm (item 9)');
    expect(flag.textContent).toContain('item 9 answered “Several days”');
  });

  it('shows a refused answer beside its item, and sends the correction with a new key', async () => {
    const posts = server([
      () =>
        json(
          {
            type: 'https://tend.dev/problems/validation',
            title: 'Some fields are not valid',
            status: 422,
            detail: 'invalid fields: answers.q9',
            errors: [{ field: 'answers.q9', message: 'is not one of the answer values' }],
          },
          422,
        ),
      () => json(recorded, 201),
    ]);
    render(<AdministerPage clientId="cl_1" instrumentId="phq-9" />);
    await fillAll();
    fireEvent.click(screen.getByRole('button', { name: 'Save and score' }));

    await waitFor(() => expect(document.querySelector('[data-link-id="q9"]')!.textContent).toContain('Is not one of the answer values'));
    const item9 = document.querySelector('[data-link-id="q9"]')!;
    expect(item9.querySelector('input')!.getAttribute('aria-invalid')).toBe('true');
    expect(document.querySelector('[data-link-id="q1"] input')!.getAttribute('aria-invalid')).toBeNull();
    expect(screen.getByRole('alert').textContent).toContain('Please correct the marked field.');
    await waitFor(() => expect(document.activeElement).toBe(item9.querySelector('input')));

    fireEvent.click(item9.querySelectorAll('input')[0]);
    fireEvent.click(screen.getByRole('button', { name: 'Save and score' }));
    await screen.findByRole('heading', { name: 'Result recorded' });
    expect(posts[1].key).not.toBe(posts[0].key);
  });

  it('sends who answered and, for a paper form, the day it was filled in', async () => {
    const posts = server([() => json(recorded, 201)]);
    render(<AdministerPage clientId="cl_1" instrumentId="phq-9" />);
    await fillAll();
    fireEvent.change(screen.getByLabelText('Who answered?'), { target: { value: 'clinician' } });
    fireEvent.input(screen.getByLabelText(/Filled in on/), { target: { value: '2026-11-02' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save and score' }));
    await screen.findByRole('heading', { name: 'Result recorded' });
    expect(posts[0].body.rater).toBe('clinician');
    expect(posts[0].body.completed_at).toBe(completedAt('2026-11-02'));
  });

  it('puts the instructions above the items on a desktop', async () => {
    server([]);
    render(<AdministerPage clientId="cl_1" instrumentId="phq-9" />);
    await screen.findByRole('heading', { name: 'PHQ-9 for Ada Lovelace' });
    const blocks = document.querySelectorAll('.question-instructions');
    expect(blocks).toHaveLength(1);
    expect(blocks[0].textContent).toBe(PHQ9_INSTRUCTIONS);
    const first = document.querySelector('fieldset.question')!;
    expect(blocks[0].compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('repeats the instructions on every screen of a phone', async () => {
    narrowScreen();
    server([]);
    render(<AdministerPage clientId="cl_1" instrumentId="phq-9" />);
    for (let n = 1; n <= 3; n++) {
      await screen.findByRole('heading', { name: `Question ${n} of 3` });
      expect(document.querySelector('.question-instructions')!.textContent).toBe(PHQ9_INSTRUCTIONS);
      const radio = screen.getByRole('radio', { name: 'Not at all' });
      fireEvent.pointerDown(radio);
      fireEvent.click(radio);
    }
    await screen.findByRole('heading', { name: 'Ready to send' });
    expect(document.querySelector('.question-instructions')).toBeNull();
  });

  it('leaves out a question that takes no value and does not send it', async () => {
    const posts = server([() => json(recorded, 201)], phq9([...phq9().items, valuelessItem()]));
    render(<AdministerPage clientId="cl_1" instrumentId="phq-9" />);
    await fillAll();
    expect(document.querySelectorAll('fieldset.question')).toHaveLength(3);
    expect(document.body.textContent).not.toContain('How difficult');
    fireEvent.click(screen.getByRole('button', { name: 'Save and score' }));
    await screen.findByRole('heading', { name: 'Result recorded' });
    expect((posts[0].body.answers as { linkId: string }[]).map((a) => a.linkId)).toEqual(['q1', 'q2', 'q9']);
  });

  it('says calmly when the service has not added a licensed form’s wording yet', async () => {
    server([], dast10);
    render(<AdministerPage clientId="cl_1" instrumentId="dast-10" />);
    await screen.findByRole('heading', { name: 'DAST-10 for Ada Lovelace' });
    const note = document.querySelector('.wording-note')!;
    expect(note.textContent).toContain('your service has not added it yet');
    expect(note.textContent).toContain('Read the questions from your licensed paper form');
    expect(screen.getAllByRole('group')[0].textContent).toContain('Item 1');

    cleanup();
    server([], { ...dast10, items: [choiceItem('q1', 'Have you used drugs other than those required for medical reasons?')] });
    render(<AdministerPage clientId="cl_1" instrumentId="dast-10" />);
    await screen.findByRole('heading', { name: 'DAST-10 for Ada Lovelace' });
    expect(document.querySelector('.wording-note')).toBeNull();
  });

  it('has no wording note for a form whose wording Tend ships', async () => {
    server([]);
    render(<AdministerPage clientId="cl_1" instrumentId="phq-9" />);
    await screen.findByRole('heading', { name: 'PHQ-9 for Ada Lovelace' });
    expect(document.querySelector('.wording-note')).toBeNull();
  });

  it('chooses self-report when the instrument allows it', () => {
    expect(defaultRater(['self', 'clinician'])).toBe('self');
    expect(defaultRater(['parent', 'teacher'])).toBe('parent');
    expect(completedAt('2026-11-02')).toBe(new Date(2026, 10, 2, 12).toISOString());
    expect(completedAt('')).toBeUndefined();
  });
});
