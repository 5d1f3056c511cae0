import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, phq9, PHQ9_INSTRUCTIONS } from '../fixtures';
import type { LinkReceipt } from '../types';
import { AssessmentLinkPage } from './AssessmentLink';

afterEach(cleanup);

function tapThrough() {
  fireEvent.click(screen.getByRole('button', { name: 'Start' }));
  for (const label of ['Several days', 'Not at all', 'Several days']) {
    // the instructions stand above every question
    expect(document.querySelector('.question-instructions')!.textContent).toBe(PHQ9_INSTRUCTIONS);
    const radio = screen.getByRole('radio', { name: label });
    fireEvent.pointerDown(radio);
    fireEvent.click(radio);
  }
  fireEvent.click(screen.getByRole('button', { name: 'Send my answers' }));
}

function serve(receipt: LinkReceipt) {
  const posts: { url: string; body: unknown; key?: string }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      if (init.method === 'GET') return json({ instrument: phq9(), rater: 'self', expires_at: '2026-12-01T00:00:00Z' });
      posts.push({ url, body: JSON.parse(init.body as string), key: (init.headers as Record<string, string>)['Idempotency-Key'] });
      return json(receipt, 201);
    }),
  );
  return posts;
}

describe('a questionnaire sent by link', () => {
  it('is taken one question at a time, then thanks with the band in plain words', async () => {
    const posts = serve({ received: true, band: { label: 'Mild', client_text: 'Your answers suggest mild symptoms of depression.' }, needs_follow_up: false });
    render(<AssessmentLinkPage token="tok_abc" />);
    await screen.findByRole('button', { name: 'Start' });
    expect(screen.getByText(/There are 3 questions, one at a time/)).toBeTruthy();
    tapThrough();
    await screen.findByRole('heading', { name: 'Thank you. Your answers have been sent.' });
    expect(screen.getByText('Your answers suggest mild symptoms of depression.')).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/988|emergency/);
    expect(posts[0].url).toBe('/api/v1/assessment-links/tok_abc');
    expect(posts[0].body).toEqual({
      answers: [
        { linkId: 'q1', value: 1 },
        { linkId: 'q2', value: 0 },
        { linkId: 'q9', value: 1 },
      ],
    });
  });

  it('says someone will follow up, and where to get help now, when an answer needs it', async () => {
    serve({ received: true, band: { label: 'Mild', client_text: 'Your answers suggest mild symptoms of depression.' }, needs_follow_up: true });
    render(<AssessmentLinkPage token="tok_abc" />);
    await screen.findByRole('button', { name: 'Start' });
    tapThrough();
    await screen.findByRole('heading', { name: 'Thank you. Someone will be in touch.' });
    const text = document.querySelector('.thanks')!.textContent!;
    expect(text).toContain('someone from the service will contact you soon');
    expect(text).toContain('call your local emergency number');
    expect(text).toContain('988');
    expect(screen.getByRole('link', { name: '988' }).getAttribute('href')).toBe('tel:988');
    // no scoring words
    expect(text).not.toMatch(/flag|critical|item 9/i);
  });

  it('explains a used or expired link kindly', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ type: 'about:blank', title: 'Not found', status: 404, detail: 'assessment link not found' }, 404)));
    render(<AssessmentLinkPage token="tok_old" />);
    await screen.findByRole('heading', { name: 'This link cannot be used' });
    expect(screen.getByText(/already been used, or it has expired/)).toBeTruthy();
    await waitFor(() => expect(document.title).toBe('This link cannot be used — Tend'));
  });
});
