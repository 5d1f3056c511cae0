import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appointment, json, note, noteTemplates, recordFetch, type FetchCall } from '../fixtures';
import type { ClientSummary } from '../types';
import { appointmentChoices, GroupNotePage } from './GroupNote';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const client = (id: string, given: string, family: string, over: Partial<ClientSummary> = {}): ClientSummary => ({
  id,
  mrn: `MRN-${id}`,
  given_name: given,
  family_name: family,
  preferred_name: null,
  pronouns: null,
  date_of_birth: '1990-04-01',
  status: 'active',
  on_my_team: true,
  ...over,
});

const ada = client('cl_1', 'Ada', 'Brook');
const ben = client('cl_2', 'Ben', 'Carver');
const cleo = client('cl_3', 'Cleo', 'Dunn', { on_my_team: false });

const draft = (id: string, clientId: string, memberPart: string) =>
  note({ id, client_id: clientId, group: true, sections: { subjective: 'The group practised grounding.' }, mse: {}, member_part: memberPart });

function serve(answer: (c: FetchCall) => Response | undefined = () => undefined): FetchCall[] {
  return recordFetch((c) => {
    const a = answer(c);
    if (a) return a;
    if (c.url === '/api/v1/note-templates') return json(noteTemplates);
    if (c.url === '/api/v1/clients/cl_1') return json(ada);
    if (c.url.startsWith('/api/v1/clients?')) {
      const q = new URL(c.url, 'http://x').searchParams.get('q') ?? '';
      return json({ items: [ada, ben, cleo].filter((x) => x.given_name.toLowerCase().startsWith(q.toLowerCase())), next_cursor: null });
    }
    return undefined;
  });
}

async function addMember(name: string, q: string) {
  fireEvent.input(screen.getByLabelText('Find a client by name'), { target: { value: q } });
  fireEvent.click(screen.getByRole('button', { name: 'Search' }));
  fireEvent.click(await screen.findByRole('button', { name: `Add ${name}` }));
}

describe('writing a group note', () => {
  it('files the shared text and each member’s own part, then links to each member’s chart', async () => {
    const calls = serve((c) =>
      c.method === 'POST' && c.url === '/api/v1/group-notes' ? json({ group_id: 'gn_1', items: [draft('nt_1', 'cl_1', 'Ada led the breathing.'), draft('nt_2', 'cl_2', '')] }, 201) : undefined,
    );
    render(<GroupNotePage />);
    await screen.findByLabelText(/^Subjective/);
    await addMember('Ada Brook', 'ad');
    await addMember('Ben Carver', 'be');
    // A client outside the caller's care teams is shown but cannot be added.
    fireEvent.input(screen.getByLabelText('Find a client by name'), { target: { value: 'cl' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await screen.findByText('(not on your care teams)');
    expect(screen.queryByRole('button', { name: 'Add Cleo Dunn' })).toBeNull();

    fireEvent.input(screen.getByLabelText(/^Subjective/), { target: { value: 'The group practised grounding.' } });
    fireEvent.click(screen.getByLabelText('euthymic'));
    fireEvent.input(screen.getByLabelText(/^Ada Brook’s own part/), { target: { value: 'Ada led the breathing.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save drafts to each chart' }));

    await screen.findByRole('heading', { name: 'Drafts saved to 2 charts' });
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toEqual({
      template: 'soap',
      sections: { subjective: 'The group practised grounding.' },
      mse: { mood: { choices: ['euthymic'], text: '' } },
      members: [{ client_id: 'cl_1', text: 'Ada led the breathing.' }, { client_id: 'cl_2' }],
    });
    expect(screen.getByRole('link', { name: /^Ada Brook/ }).getAttribute('href')).toBe('/clients/cl_1?tab=sessions');
    expect(screen.getByRole('link', { name: /^Ben Carver/ }).getAttribute('href')).toBe('/clients/cl_2?tab=sessions');
  });

  it('starts with the client whose chart it was opened from, and asks for a second member before saving', async () => {
    const calls = serve();
    render(<GroupNotePage withClient="cl_1" />);
    await screen.findByRole('button', { name: 'Remove Ada Brook' });
    fireEvent.click(screen.getByRole('button', { name: 'Save drafts to each chart' }));
    await screen.findByText('Add at least 2 members.');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Remove Ada Brook' }));
    expect(screen.getByText('No members yet.')).toBeTruthy();
  });

  it('shows a refusal beside the member it is about', async () => {
    serve((c) =>
      c.method === 'POST'
        ? json(
            {
              type: 'about:blank',
              title: 'Unprocessable',
              status: 422,
              detail: 'invalid field: members[1].client_id',
              errors: [{ field: 'members[1].client_id', message: 'must be a client on your care team' }],
            },
            422,
          )
        : undefined,
    );
    render(<GroupNotePage />);
    await screen.findByLabelText(/^Subjective/);
    await addMember('Ada Brook', 'ad');
    await addMember('Ben Carver', 'be');
    fireEvent.click(screen.getByRole('button', { name: 'Save drafts to each chart' }));
    await screen.findByText('Must be a client on your care team');
    const ben_ = screen.getByLabelText(/^Ben Carver’s own part/);
    await waitFor(() => expect(ben_.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByLabelText(/^Ada Brook’s own part/).getAttribute('aria-invalid')).toBeNull();
  });
});

describe('the appointment each member’s note is for', () => {
  const now = new Date(2026, 11, 2, 15, 0);
  const at = (days: number, hour: number) => new Date(2026, 11, 2 - days, hour, 0).toISOString();

  it('offers the past week’s appointments that were not cancelled, newest first, and pre-chooses today’s group session', () => {
    const all = [
      appointment({ id: 'ap_old', starts_at: at(9, 10) }),
      appointment({ id: 'ap_week', starts_at: at(6, 10), status: 'attended' }),
      appointment({ id: 'ap_cancel', starts_at: at(0, 9), status: 'cancelled' }),
      appointment({ id: 'ap_ind', starts_at: at(0, 9), kind: 'individual' }),
      appointment({ id: 'ap_group', starts_at: at(0, 14), kind: 'group' }),
      appointment({ id: 'ap_next', starts_at: at(-3, 14), kind: 'group' }),
    ];
    const { choices, preferred } = appointmentChoices(all, now);
    expect(choices.map((a) => a.id)).toEqual(['ap_group', 'ap_ind', 'ap_week']);
    expect(preferred).toBe('ap_group');
  });

  it('pre-chooses nothing when today has two individual sessions and no group one, or none at all', () => {
    const two = [appointment({ id: 'a', starts_at: at(0, 9), kind: 'individual' }), appointment({ id: 'b', starts_at: at(0, 11), kind: 'individual' })];
    expect(appointmentChoices(two, now).preferred).toBe('');
    expect(appointmentChoices([appointment({ id: 'c', starts_at: at(2, 9) })], now).preferred).toBe('');
    expect(appointmentChoices([appointment({ id: 'd', starts_at: at(0, 9), kind: 'individual' })], now).preferred).toBe('d');
  });

  it('sends the chosen appointment for each member, and none when “No appointment” is chosen', async () => {
    const today = new Date();
    today.setMinutes(0, 0, 0);
    const calls = serve((c) => {
      if (c.url === '/api/v1/clients/cl_1/appointments') return json({ items: [appointment({ id: 'ap_ada', client_id: 'cl_1', starts_at: today.toISOString(), kind: 'group' })] });
      if (c.url === '/api/v1/clients/cl_2/appointments')
        return json({ items: [appointment({ id: 'ap_ben', client_id: 'cl_2', starts_at: today.toISOString(), kind: 'group' })] });
      if (c.method === 'POST') return json({ group_id: 'gn_1', items: [draft('nt_1', 'cl_1', ''), draft('nt_2', 'cl_2', '')] }, 201);
      return undefined;
    });
    render(<GroupNotePage />);
    await screen.findByLabelText(/^Subjective/);
    await addMember('Ada Brook', 'ad');
    await addMember('Ben Carver', 'be');
    const adaAppt = (await screen.findByLabelText(/^Ada Brook’s appointment/)) as HTMLSelectElement;
    await waitFor(() => expect(adaAppt.value).toBe('ap_ada'));
    const benAppt = screen.getByLabelText(/^Ben Carver’s appointment/) as HTMLSelectElement;
    await waitFor(() => expect(benAppt.value).toBe('ap_ben'));
    fireEvent.change(benAppt, { target: { value: '' } });
    fireEvent.input(screen.getByLabelText(/^Subjective/), { target: { value: 'The group practised grounding.' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save drafts to each chart' }));
    await screen.findByRole('heading', { name: 'Drafts saved to 2 charts' });
    const post = calls.find((c) => c.method === 'POST')!;
    expect((post.body as { members: unknown[] }).members).toEqual([{ client_id: 'cl_1', appointment_id: 'ap_ada' }, { client_id: 'cl_2' }]);
  });
});
