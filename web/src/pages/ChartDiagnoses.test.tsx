import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { medicationEvents } from '../diagnoses';
import { json } from '../fixtures';
import { setSessionForTest } from '../session';
import type { Diagnosis, Medication, Role } from '../types';
import { DiagnosesTab } from './ChartDiagnoses';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  setSessionForTest({ status: 'loading' });
});

function signedInAs(role: Role) {
  setSessionForTest({ status: 'signed-in', user: { id: 'us_1', username: 'u', display_name: 'Dr Test', role } as never });
}

const diagnosis = (over: Partial<Diagnosis> = {}): Diagnosis => ({
  id: 'dx_1',
  client_id: 'cl_1',
  code: 'F32.1',
  title: 'Major depressive disorder, single episode, moderate',
  rank: 'primary',
  status: 'provisional',
  current: true,
  diagnosed_on: '2026-11-02',
  diagnosed_by: { id: 'us_1', name: 'Dr Test' },
  note: '',
  history: [{ from_status: null, to_status: 'provisional', from_rank: null, to_rank: 'primary', note: '', by: 'us_1', at: '2026-11-02T10:00:00Z' }],
  next: ['confirmed', 'resolved', 'ruled_out', 'entered_in_error'],
  updated_at: '2026-11-02T10:00:00Z',
  version: 1,
  ...over,
});

const medication = (over: Partial<Medication> = {}): Medication => ({
  id: 'md_1',
  client_id: 'cl_1',
  name: 'Sertraline',
  dose: '100 mg',
  route: 'oral',
  frequency: 'once daily',
  started_on: '2026-09-01',
  stopped_on: null,
  current: true,
  reason: '',
  changes: [
    { kind: 'start', on: '2026-09-01', dose: '50 mg', frequency: 'once daily', reason: '', by: { id: 'us_2', name: 'Dr Rx' }, at: '2026-09-01T10:00:00Z' },
    { kind: 'dose', on: '2026-10-01', dose: '100 mg', frequency: 'once daily', reason: 'Partial response', by: { id: 'us_2', name: 'Dr Rx' }, at: '2026-10-01T10:00:00Z' },
  ],
  updated_at: '2026-10-01T10:00:00Z',
  version: 2,
  ...over,
});

function problem(status: number, detail: string, errors: { field: string; message: string }[] = []) {
  return new Response(JSON.stringify({ type: 'about:blank', title: 'Refused', status, detail, errors }), { status, headers: { 'Content-Type': 'application/problem+json' } });
}

describe('diagnoses and medication on the chart', () => {
  it('medication changes become dated events with words for each', () => {
    expect(medicationEvents([medication(), medication({ id: 'md_2', name: 'Mirtazapine', current: false, changes: [{ kind: 'start', on: '2026-01-01', dose: '15 mg', frequency: 'at night', reason: '', by: { id: 'u', name: 'n' }, at: '' }, { kind: 'dose', on: '2026-02-01', dose: '15 mg', frequency: 'twice daily', reason: '', by: { id: 'u', name: 'n' }, at: '' }, { kind: 'stop', on: '2026-03-01', dose: '15 mg', frequency: 'twice daily', reason: '', by: { id: 'u', name: 'n' }, at: '' }] })])).toEqual([
      { on: '2026-01-01', label: 'Started Mirtazapine 15 mg' },
      { on: '2026-02-01', label: 'Mirtazapine 15 mg, now twice daily' },
      { on: '2026-03-01', label: 'Stopped Mirtazapine' },
      { on: '2026-09-01', label: 'Started Sertraline 50 mg' },
      { on: '2026-10-01', label: 'Sertraline 50 mg → 100 mg' },
    ]);
  });

  it('finds a code as you type, adds a provisional primary diagnosis and confirms it', async () => {
    signedInAs('clinician');
    const posts: { url: string; body: Record<string, unknown> }[] = [];
    let made = false;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posts.push({ url, body: JSON.parse(init.body as string) });
          made = true;
          return json(diagnosis(), 201);
        }
        if (url.startsWith('/api/v1/codes')) {
          expect(url).toBe('/api/v1/codes?q=F32');
          return json({ items: [{ code: 'F32', billable: false, title: 'Major depressive disorder, single episode' }, { code: 'F32.1', billable: true, title: 'Major depressive disorder, single episode, moderate' }] });
        }
        if (url.endsWith('/medications')) return json({ items: [] });
        return json({ items: made ? [diagnosis()] : [] });
      }),
    );
    render(<DiagnosesTab clientId="cl_1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add a diagnosis' }));
    const box = screen.getByRole('combobox', { name: /Diagnosis code/ });
    fireEvent.input(box, { target: { value: 'F32' } });
    const list = await screen.findByRole('listbox', { name: 'Matching codes' });
    await within(list).findByText(/single episode, moderate/);
    expect(box.getAttribute('aria-expanded')).toBe('true');
    // The arrow keys move through the matches; Enter on a category narrows, on a code chooses.
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    fireEvent.keyDown(box, { key: 'ArrowDown' });
    expect(box.getAttribute('aria-activedescendant')).toBe('diagnosis-code-list-1');
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(await screen.findByText('F32.1', { selector: 'strong' })).toBeTruthy();
    fireEvent.input(screen.getByLabelText(/Diagnosed on/), { target: { value: '2026-11-02' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add the diagnosis' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toEqual({ url: '/api/v1/clients/cl_1/diagnoses', body: { code: 'F32.1', rank: 'primary', status: 'provisional', diagnosed_on: '2026-11-02' } });
    const card = await screen.findByRole('region', { name: /F32.1/ });
    expect(within(card).getByText('Provisional')).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: 'Confirm F32.1' }));
    await waitFor(() => expect(posts).toHaveLength(2));
    expect(posts[1]).toEqual({ url: '/api/v1/diagnoses/dx_1', body: { status: 'confirmed', version: 1 } });
  });

  it('shows the server’s refusal of a code on the code field', async () => {
    signedInAs('prescriber');
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init?: RequestInit) => {
        if (init?.method === 'POST') return problem(422, 'code: is required', [{ field: 'code', message: 'is required' }]);
        return json({ items: [] });
      }),
    );
    render(<DiagnosesTab clientId="cl_1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add a diagnosis' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add the diagnosis' }));
    await screen.findByText(/is required/i, { selector: '.field-error' });
    expect(screen.getByRole('combobox', { name: /Diagnosis code/ }).getAttribute('aria-invalid')).toBe('true');
  });

  it('a peer support worker reads diagnoses and medication but changes nothing', async () => {
    signedInAs('peer_support');
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => (url.endsWith('/medications') ? json({ items: [medication()] }) : json({ items: [diagnosis()] }))),
    );
    render(<DiagnosesTab clientId="cl_1" />);
    const card = await screen.findByRole('region', { name: /F32.1/ });
    expect(within(card).queryByRole('button')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Add a diagnosis' })).toBeNull();
    expect(await screen.findByRole('heading', { name: /Sertraline 100 mg/ })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Start a medication' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Change or stop/ })).toBeNull();
  });

  it('a prescriber starts a medication, and changes the dose of a current one with its version', async () => {
    signedInAs('prescriber');
    const posts: { url: string; body: Record<string, unknown> }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string, init?: RequestInit) => {
        if (init?.method === 'POST') {
          posts.push({ url, body: JSON.parse(init.body as string) });
          return json(medication(), url.endsWith('/changes') ? 200 : 201);
        }
        if (url.endsWith('/medications')) return json({ items: [medication()] });
        return json({ items: [] });
      }),
    );
    render(<DiagnosesTab clientId="cl_1" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Start a medication' }));
    const form = screen.getByRole('form', { name: 'Start a medication' });
    fireEvent.input(within(form).getByLabelText(/^Medication/), { target: { value: 'Lithium carbonate' } });
    fireEvent.input(within(form).getByLabelText(/^Dose/), { target: { value: '400 mg' } });
    fireEvent.input(within(form).getByLabelText(/^How often/), { target: { value: 'at night' } });
    fireEvent.input(within(form).getByLabelText(/^Started on/), { target: { value: '2026-11-01' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Start the medication' }));
    await waitFor(() => expect(posts).toHaveLength(1));
    expect(posts[0]).toEqual({ url: '/api/v1/clients/cl_1/medications', body: { name: 'Lithium carbonate', dose: '400 mg', route: 'oral', frequency: 'at night', started_on: '2026-11-01' } });
    fireEvent.click(await screen.findByRole('button', { name: 'Change or stop Sertraline' }));
    const change = screen.getByRole('form', { name: 'Change or stop Sertraline' });
    fireEvent.input(within(change).getByLabelText(/^New dose/), { target: { value: '150 mg' } });
    fireEvent.input(within(change).getByLabelText(/^On/), { target: { value: '2026-11-03' } });
    fireEvent.click(within(change).getByRole('button', { name: 'Record the change' }));
    await waitFor(() => expect(posts).toHaveLength(2));
    expect(posts[1]).toEqual({ url: '/api/v1/medications/md_1/changes', body: { kind: 'dose', on: '2026-11-03', dose: '150 mg', frequency: 'once daily', version: 2 } });
  });
});
