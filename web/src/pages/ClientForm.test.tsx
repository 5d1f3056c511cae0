import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../api';
import { ClientNewPage, createBody, patchBody } from './ClientForm';

function problemResponse(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } });
}

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

describe('new client form', () => {
  it('shows the server’s date-of-birth error on that field', async () => {
    setCsrfToken('csrf-1');
    const fetchMock = vi.fn(async () =>
      problemResponse(422, {
        type: 'https://tend.dev/problems/validation',
        title: 'Some fields are not valid',
        status: 422,
        detail: 'invalid fields: date_of_birth',
        errors: [{ field: 'date_of_birth', message: 'must not be in the future' }],
      }),
    );
    vi.stubGlobal('fetch', fetchMock);

    render(<ClientNewPage />);
    fireEvent.input(screen.getByLabelText(/Given name/), { target: { value: 'Ada' } });
    fireEvent.input(screen.getByLabelText(/Family name/), { target: { value: 'Lovelace' } });
    fireEvent.input(screen.getByLabelText(/Date of birth/), { target: { value: '2999-01-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register client' }));

    const dob = screen.getByLabelText(/Date of birth/);
    await waitFor(() => expect(dob.getAttribute('aria-invalid')).toBe('true'));

    // the message sits with the field and is read with it
    const describedBy = dob.getAttribute('aria-describedby')!.split(' ');
    const message = describedBy.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
    expect(message).toContain('Must not be in the future');
    expect(dob.closest('.field')!.textContent).toContain('Must not be in the future');
    // other fields are not marked
    expect(screen.getByLabelText(/Given name/).getAttribute('aria-invalid')).toBeNull();
    // the general message is at the top
    expect(screen.getByRole('alert').textContent).toContain('Please correct the marked field.');
    // the invalid field has focus
    await waitFor(() => expect(document.activeElement).toBe(dob));

    // what was sent: only filled fields, with the CSRF header
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/clients');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>)['X-CSRF-Token']).toBe('csrf-1');
    expect(JSON.parse(init.body as string)).toEqual({ given_name: 'Ada', family_name: 'Lovelace', date_of_birth: '2999-01-01' });
  });

  it('goes to the chart when the record is created', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ id: 'cl_new1' }), { status: 201, headers: { 'Content-Type': 'application/json' } })),
    );
    render(<ClientNewPage />);
    fireEvent.input(screen.getByLabelText(/Given name/), { target: { value: 'Ada' } });
    fireEvent.input(screen.getByLabelText(/Family name/), { target: { value: 'Lovelace' } });
    fireEvent.input(screen.getByLabelText(/Date of birth/), { target: { value: '1990-12-10' } });
    fireEvent.click(screen.getByRole('button', { name: 'Register client' }));
    await waitFor(() => expect(window.location.pathname).toBe('/clients/cl_new1'));
  });
});

describe('request bodies', () => {
  const blank = {
    given_name: '',
    family_name: '',
    preferred_name: '',
    pronouns: '',
    date_of_birth: '',
    gender_identity: '',
    language: '',
    phone: '',
    email: '',
  };

  it('leaves empty fields out of a new record', () => {
    expect(createBody({ ...blank, given_name: ' Ada ', family_name: 'L', date_of_birth: '1990-01-01', email: '  ' })).toEqual({
      given_name: 'Ada',
      family_name: 'L',
      date_of_birth: '1990-01-01',
    });
  });

  it('patches only changes, clearing optional fields with null', () => {
    const before = { ...blank, given_name: 'Ada', family_name: 'L', date_of_birth: '1990-01-01', phone: '555' };
    expect(patchBody(before, { ...before, phone: '', pronouns: 'she/her' }, 3)).toEqual({ version: 3, phone: null, pronouns: 'she/her' });
    expect(patchBody(before, before, 3)).toEqual({ version: 3 });
  });
});
