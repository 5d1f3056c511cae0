import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, note, noteTemplates, recordFetch, type FetchCall } from '../fixtures';
import type { Note } from '../noteTypes';
import { mseLines, NotesTab, statusWords } from './ChartNotes';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const templates = noteTemplates;


const signed = (over: Partial<Note> = {}) =>
  note({ status: 'signed', signed_at: '2026-12-01T11:00:00Z', version: 3, addenda: [{ id: 'na_1', text: 'Client rang: GP booked', author: { id: 'us_2', name: 'Rosa Diaz' }, created_at: '2026-12-02T09:00:00Z' }], ...over });

function serve(notes: Note[], answer: (c: FetchCall) => Response | undefined = () => undefined): FetchCall[] {
  return recordFetch((c) => {
    const a = answer(c);
    if (a) return a;
    if (c.url === '/api/v1/note-templates') return json(templates);
    if (c.url === '/api/v1/clients/cl_1/notes' && c.method === 'GET') return json({ items: notes });
    return undefined;
  });
}

describe('notes on the chart', () => {
  it('says where a note stands', () => {
    expect(statusWords(note())).toBe('Draft — not signed');
    expect(statusWords(note({ status: 'awaiting_cosign', signed_at: '2026-12-01T11:00:00Z', cosigner: { id: 'us_9', name: 'Dr Supervisor' } }))).toMatch(/awaiting co-signature by Dr Supervisor$/);
    expect(statusWords(signed({ cosigner: { id: 'us_9', name: 'Dr Supervisor' }, cosigned_at: '2026-12-01T12:00:00Z' }))).toMatch(/^Signed .*, co-signed by Dr Supervisor/);
  });

  it('writes the examination one line per domain answered, in its order', () => {
    expect(mseLines(templates.mse, { insight: { choices: ['good'], text: '' }, mood: { choices: ['low'], text: 'flat' } })).toEqual([
      { heading: 'Mood', text: 'low; flat' },
      { heading: 'Insight', text: 'good' },
    ]);
    expect(mseLines(templates.mse, { mood: { choices: [], text: '' } })).toEqual([]);
  });

  it('starts a SOAP note pre-filled with the measures and risk, saves it with its version and signs after a confirmation', async () => {
    const prefill = {
      template: templates.items[0],
      mse: templates.mse,
      sections: { objective: 'PHQ-9 9 (Mild) on 2026-11-30, down 8 from 17 on 2026-11-16: reliable improvement.', assessment: 'No open crisis alerts.' },
      measures: [],
      risk: { open_alerts: [], flags: [], safety_plan: null },
    };
    const calls = serve([], (c) => {
      if (c.url.startsWith('/api/v1/clients/cl_1/notes/prefill')) return json(prefill);
      if (c.method === 'POST' && c.url === '/api/v1/clients/cl_1/notes') return json(note({ sections: prefill.sections, mse: {} }), 201);
      if (c.method === 'PUT') return json(note({ version: 2, sections: (c.body as { sections: Record<string, string> }).sections }));
      if (c.method === 'POST' && c.url.endsWith('/sign')) return json(signed());
      return undefined;
    });
    render(<NotesTab clientId="cl_1" userId="us_1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Write a note' }));
    fireEvent.click(screen.getByRole('button', { name: 'Start note' }));
    const objective = (await screen.findByLabelText(/^Objective/)) as HTMLTextAreaElement;
    expect(objective.value).toMatch(/PHQ-9 9 \(Mild\).*reliable improvement/);
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ template: 'soap', kind: 'progress', sections: prefill.sections });
    fireEvent.input(screen.getByLabelText(/^Subjective/), { target: { value: 'Sleeping better' } });
    fireEvent.click(screen.getByLabelText('low'));
    fireEvent.click(screen.getByRole('button', { name: 'Save draft' }));
    await screen.findByText('Draft saved.');
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.url).toBe('/api/v1/notes/nt_1');
    expect(put.body).toMatchObject({ version: 1, sections: { subjective: 'Sleeping better' }, mse: { mood: { choices: ['low'], text: '' } } });
    // Signing asks first; then saves (with the version the save returned) and signs.
    fireEvent.click(screen.getByRole('button', { name: 'Sign…' }));
    expect(screen.getByText(/Once signed it is locked/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Sign note' }));
    await screen.findByText('Note signed and locked.');
    const sign = calls.find((c) => c.url.endsWith('/sign'))!;
    expect(sign.body).toEqual({ version: 2 });
  });

  it('shows a signed note read-only with its addenda, and adds one', async () => {
    const calls = serve([signed()], (c) => (c.method === 'POST' && c.url.endsWith('/addenda') ? json(signed(), 201) : undefined));
    render(<NotesTab clientId="cl_1" userId="us_1" />);
    await screen.findByText('Sleeping better');
    expect(screen.getByText('Client rang: GP booked')).toBeTruthy();
    expect(screen.getByText('Mood: low; a bit brighter')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Continue writing/ })).toBeNull();
    expect(screen.queryByRole('textbox', { name: /Subjective/ })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: /^Add addendum/ }));
    fireEvent.input(screen.getByRole('textbox', { name: /^Addendum/ }), { target: { value: 'Letter sent to GP' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save addendum' }));
    await screen.findByText('Addendum added.');
    expect(calls.find((c) => c.url.endsWith('/addenda'))!.body).toEqual({ text: 'Letter sent to GP' });
  });

  it("offers a colleague's draft for reading only, and the co-signature to the named supervisor only", async () => {
    serve([note({ author: { id: 'us_2', name: 'Rosa Diaz' } }), note({ id: 'nt_2', status: 'awaiting_cosign', signed_at: '2026-12-01T11:00:00Z', cosigner: { id: 'us_1', name: 'Chidi Okafor' } })]);
    render(<NotesTab clientId="cl_1" userId="us_1" />);
    await screen.findAllByText('Sleeping better');
    expect(screen.queryByRole('button', { name: /Continue writing/ })).toBeNull();
    expect(screen.getAllByRole('button', { name: /^Co-sign/ })).toHaveLength(1);
  });

  it('shows a refused save on the form', async () => {
    serve([note()], (c) =>
      c.method === 'PUT' ? json({ type: 'about:blank', title: 'Conflict', status: 409, detail: 'note is at version 2, not 1: someone changed it since; reload', errors: [{ field: 'version', message: 'is stale; reload' }] }, 409) : undefined,
    );
    render(<NotesTab clientId="cl_1" userId="us_1" />);
    fireEvent.click(await screen.findByRole('button', { name: /^Continue writing/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Save draft' }));
    await screen.findByText(/someone changed it since; reload/);
    await waitFor(() => expect(screen.queryByText('Draft saved.')).toBeNull());
  });
});
