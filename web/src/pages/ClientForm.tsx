import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError, TextField } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { fullName } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import { navigate } from '../router';
import type { Client } from '../types';
import { useGet } from '../useApi';
import { focusFirstError, optional } from './forms';

/** The fields this form edits, as the API names them. */
export const clientFields = [
  'given_name',
  'family_name',
  'preferred_name',
  'pronouns',
  'date_of_birth',
  'gender_identity',
  'language',
  'phone',
  'email',
] as const;

type FieldName = (typeof clientFields)[number];
type Values = Record<FieldName, string>;
const required: ReadonlySet<FieldName> = new Set(['given_name', 'family_name', 'date_of_birth']);

function valuesOf(client: Client | null): Values {
  const v = {} as Values;
  for (const f of clientFields) v[f] = client ? ((client[f] as string | null) ?? '') : '';
  return v;
}

/** For a new record: every non-empty field. */
export function createBody(values: Values): Record<string, string> {
  const body: Record<string, string> = {};
  for (const f of clientFields) {
    const v = f === 'date_of_birth' ? values[f] : optional(values[f]);
    if (v) body[f] = v;
  }
  return body;
}

/** For an edit (merge patch): only what changed; a cleared optional field is sent as null. */
export function patchBody(before: Values, after: Values, version: number): Record<string, unknown> {
  const body: Record<string, unknown> = { version };
  for (const f of clientFields) {
    if (after[f].trim() === before[f].trim()) continue;
    body[f] = required.has(f) ? after[f].trim() : optional(after[f]);
  }
  return body;
}

interface FormProps {
  initial: Client | null;
  submitLabel: string;
  onSubmit: (values: Values) => Promise<void>;
  cancelHref: string;
}

function ClientForm({ initial, submitLabel, onSubmit, cancelHref }: FormProps) {
  const [values, setValues] = useState<Values>(() => valuesOf(initial));
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);

  const set = (f: FieldName) => (v: string) => setValues((old) => ({ ...old, [f]: v }));
  const field = (f: FieldName, label: string, extra: Partial<Parameters<typeof TextField>[0]> = {}) => (
    <TextField name={f} label={label} value={values[f]} onInput={set(f)} required={required.has(f)} error={errors.fields[f]} {...extra} />
  );

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      await onSubmit(values);
      setErrors(noErrors);
    } catch (e) {
      setErrors(e instanceof ApiError ? problemToFormErrors(e.problem, clientFields) : { summary: 'Something went wrong. Try again.', fields: {} });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate class="form">
      <FormError message={errors.summary} />
      <fieldset>
        <legend>Name</legend>
        {field('given_name', 'Given name', { autoComplete: 'off', spellcheck: false })}
        {field('family_name', 'Family name', { autoComplete: 'off', spellcheck: false })}
        {field('preferred_name', 'Preferred name', { hint: 'The name the client wants to be called, if different.', spellcheck: false })}
        {field('pronouns', 'Pronouns', { hint: 'For example she/her, he/him, they/them.' })}
      </fieldset>
      <fieldset>
        <legend>About the client</legend>
        {field('date_of_birth', 'Date of birth', { type: 'date' })}
        {field('gender_identity', 'Gender identity', { hint: 'In the client’s own words.' })}
        {field('language', 'Preferred language', { hint: 'A language code such as en, es or pt-BR.', spellcheck: false })}
      </fieldset>
      <fieldset>
        <legend>Contact</legend>
        {field('phone', 'Phone', { type: 'tel', autoComplete: 'off' })}
        {field('email', 'Email', { type: 'email', autoComplete: 'off', spellcheck: false })}
      </fieldset>
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          {submitLabel}
        </button>
        <Link href={cancelHref} class="button button--secondary">
          Cancel
        </Link>
      </div>
    </form>
  );
}

export function ClientNewPage() {
  return (
    <>
      <PageHeading title="New client" />
      <p>Fields marked optional can be left empty and added later.</p>
      <ClientForm
        initial={null}
        submitLabel="Register client"
        cancelHref="/"
        onSubmit={async (values) => {
          const created = await api.post<Client>('/api/v1/clients', createBody(values));
          navigate(`/clients/${encodeURIComponent(created.id)}`);
        }}
      />
    </>
  );
}

export function ClientEditPage({ id }: { id: string }) {
  const client = useGet<Client>(`/api/v1/clients/${encodeURIComponent(id)}`);
  const chart = `/clients/${encodeURIComponent(id)}`;
  if (client.loading && !client.data) return <Loading />;
  if (client.error || !client.data) {
    return (
      <>
        <PageHeading title="Edit client" />
        <ErrorMessage message={client.error ? problemToFormErrors(client.error.problem).summary : 'This record could not be loaded.'} />
      </>
    );
  }
  const record = client.data;
  return (
    <>
      <PageHeading title={`Edit ${fullName(record)}`} />
      <ClientForm
        key={record.version}
        initial={record}
        submitLabel="Save changes"
        cancelHref={chart}
        onSubmit={async (values) => {
          await api.patch<Client>(chart.replace('/clients/', '/api/v1/clients/'), patchBody(valuesOf(record), values, record.version));
          navigate(chart);
        }}
      />
    </>
  );
}
