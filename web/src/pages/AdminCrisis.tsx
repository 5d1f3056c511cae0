// Admin: the on-call roster (weekly patterns and one-off windows, cover entries, who is on call
// now) and the crisis webhooks (paging or SMS gateways; the secret is shown once).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { CopyButton } from '../components/CopyButton';
import { FormError, SelectField, TextField } from '../components/Field';
import { ErrorMessage, Loading } from '../components/Page';
import { StaffPicker } from '../components/StaffPicker';
import { alertLevels, levelWords, timeZones, weekdays, zonedToUtc } from '../crisis';
import { formatDate, formatDateTime } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { CrisisWebhook, Items, PersonRef, RosterEntry, StaffMember, Weekday } from '../types';
import { useGet } from '../useApi';
import { focusFirstError } from './forms';

const kindWords: Record<string, string> = { on_call: 'On call', supervisor: 'Supervisor' };

/** "Mon, Tue 17:00–09:00 (next day), Europe/London, from 1 Dec 2026" or "23 Nov 2026, 17:00 to 24 Nov 2026, 09:00". */
export function rosterWhen(e: RosterEntry): string {
  if (e.once) return `${formatDateTime(e.once.starts_at)} to ${formatDateTime(e.once.ends_at)}`;
  if (!e.weekly) return '';
  const days = e.weekly.days.map((d) => weekdays.find((w) => w.value === d)?.label ?? d).join(', ');
  const overnight = e.weekly.end <= e.weekly.start ? ' (next day)' : '';
  const range = [e.from_date ? `from ${formatDate(e.from_date)}` : '', e.until_date ? `until ${formatDate(e.until_date)}` : ''].filter(Boolean).join(' ');
  return `${days} ${e.weekly.start}–${e.weekly.end}${overnight}, ${e.time_zone}${range ? `, ${range}` : ''}`;
}

function personOf(e: RosterEntry, names: Map<string, string>): string {
  return e.user?.name ?? e.user_name ?? names.get(e.user_id) ?? e.user_id;
}

/** People in the on-call/now answer, whatever the exact field names turn out to be. */
export function peopleNow(answer: Record<string, unknown> | null, ...keys: string[]): string[] {
  if (!answer) return [];
  for (const key of keys) {
    const v = answer[key];
    const list = Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : [];
    if (list.length) {
      return list.map((p) => {
        const x = p as Partial<PersonRef> & { user_id?: string; user_name?: string; display_name?: string; user?: PersonRef };
        return x.name ?? x.display_name ?? x.user_name ?? x.user?.name ?? x.id ?? x.user_id ?? '';
      });
    }
  }
  return [];
}

export function OnCallRoster({ names }: { names: Map<string, string> }) {
  const roster = useGet<Items<RosterEntry>>('/api/v1/on-call');
  const now = useGet<Record<string, unknown>>('/api/v1/on-call/now');
  const [rowError, setRowError] = useState('');
  const reload = () => {
    roster.reload();
    now.reload();
  };
  const remove = async (e: RosterEntry) => {
    setRowError('');
    try {
      await api.delete(`/api/v1/on-call/${encodeURIComponent(e.id)}`);
      reload();
    } catch (err) {
      setRowError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'The entry could not be removed.');
    }
  };
  const onCall = peopleNow(now.data, 'on_call', 'on_call_users', 'oncall');
  const supervising = peopleNow(now.data, 'supervisors', 'supervisor');
  const items = roster.data?.items ?? [];

  return (
    <section class="section" aria-labelledby="on-call-heading">
      <h2 id="on-call-heading">On-call roster</h2>
      <p>Who answers crisis alerts after the client’s care team: on-call first, then a supervisor. A cover entry replaces the regular entries of its kind while it runs.</p>
      <div class="on-call-now" role="status">
        <h3>Who is on call now</h3>
        {now.loading && !now.data ? <p>Checking…</p> : null}
        {now.error ? <p>{problemToFormErrors(now.error.problem).summary}</p> : null}
        {now.data ? (
          <p>
            On call: <strong>{onCall.length ? onCall.join(', ') : 'no one'}</strong>. Supervising: <strong>{supervising.length ? supervising.join(', ') : 'no one'}</strong>.
          </p>
        ) : null}
      </div>
      {rowError ? <ErrorMessage message={rowError} /> : null}
      {roster.loading && !roster.data ? <Loading what="Loading the roster" /> : null}
      {roster.error ? <ErrorMessage message={problemToFormErrors(roster.error.problem).summary} /> : null}
      {roster.data && items.length === 0 ? <p>No one is on the roster yet: alerts stop at the care team.</p> : null}
      {items.length ? (
        <div class="table-wrap" role="region" aria-label="On-call roster (table)" tabIndex={0}>
          <table class="table roster">
            <caption class="visually-hidden">On-call roster</caption>
            <thead>
              <tr>
                <th scope="col">Who</th>
                <th scope="col">Role</th>
                <th scope="col">When</th>
                <th scope="col">Cover</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id}>
                  <td>{personOf(e, names)}</td>
                  <td>{kindWords[e.kind] ?? e.kind}</td>
                  <td>{rosterWhen(e)}</td>
                  <td>{e.cover ? 'Cover' : <span class="muted">Regular</span>}</td>
                  <td>
                    <button type="button" class="button button--secondary button--small" onClick={() => void remove(e)} aria-label={`Delete the roster entry of ${personOf(e, names)}: ${rosterWhen(e)}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <AddRosterEntry onAdded={reload} />
    </section>
  );
}

const rosterFields = ['user_id', 'kind', 'time_zone', 'weekly', 'weekly.days', 'weekly.start', 'weekly.end', 'from_date', 'until_date', 'once', 'once.starts_at', 'once.ends_at', 'cover'];

function AddRosterEntry({ onAdded }: { onAdded: () => void }) {
  const [zones] = useState(timeZones);
  const [who, setWho] = useState<StaffMember | null>(null);
  const [kind, setKind] = useState('on_call');
  const [cover, setCover] = useState(false);
  const [zone, setZone] = useState(zones[0]);
  const [pattern, setPattern] = useState<'weekly' | 'once'>('weekly');
  const [days, setDays] = useState<Weekday[]>(['mon', 'tue', 'wed', 'thu', 'fri']);
  const [start, setStart] = useState('17:00');
  const [end, setEnd] = useState('09:00');
  const [fromDate, setFromDate] = useState('');
  const [untilDate, setUntilDate] = useState('');
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [added, setAdded] = useState('');
  useEffect(() => focusFirstError(errors), [errors]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setAdded('');
    const fields: Record<string, string> = {};
    if (!who) fields.user_id = 'Find a colleague by name and choose them from the list.';
    const body: Record<string, unknown> = { kind, user_id: who?.id, cover, time_zone: zone };
    if (pattern === 'weekly') {
      if (!days.length) fields['weekly.days'] = 'Choose at least one day.';
      body.weekly = { days, start, end };
      if (fromDate) body.from_date = fromDate;
      if (untilDate) body.until_date = untilDate;
    } else {
      const s = zonedToUtc(startsAt, zone);
      const t = zonedToUtc(endsAt, zone);
      if (!s) fields['once.starts_at'] = 'Enter when it starts.';
      if (!t) fields['once.ends_at'] = 'Enter when it ends.';
      body.once = { starts_at: s, ends_at: t };
    }
    if (Object.keys(fields).length) {
      setErrors({ summary: Object.keys(fields).length === 1 ? 'Please correct the marked field.' : `Please correct the ${Object.keys(fields).length} marked fields.`, fields });
      return;
    }
    setBusy(true);
    try {
      await api.post('/api/v1/on-call', body);
      setErrors(noErrors);
      setAdded(`${who!.display_name} added to the roster.`);
      setWho(null);
      onAdded();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, rosterFields) : noErrors);
    } finally {
      setBusy(false);
    }
  };

  const daysError = errors.fields['weekly.days'] || errors.fields.weekly;
  return (
    <form onSubmit={submit} noValidate class="form form--inline" aria-labelledby="add-roster-heading">
      <h3 id="add-roster-heading">Add to the roster</h3>
      {added ? (
        <p class="notice" role="status">
          {added}
        </p>
      ) : null}
      <FormError message={errors.summary} />
      <StaffPicker id="roster-user_id" label="Who" hint="Type part of their name, then choose them from the list." error={errors.fields.user_id} chosen={who} onChoose={setWho} />
      <SelectField
        name="kind"
        idPrefix="roster"
        label="On the roster as"
        required
        value={kind}
        onChange={setKind}
        error={errors.fields.kind}
        options={[
          { value: 'on_call', label: 'On call' },
          { value: 'supervisor', label: 'Supervisor' },
        ]}
      />
      <div class="field checkbox-field">
        <input id="roster-cover" type="checkbox" checked={cover} onChange={(e) => setCover((e.currentTarget as HTMLInputElement).checked)} aria-describedby="roster-cover-hint" />
        <label for="roster-cover">Cover</label>
        <p class="hint" id="roster-cover-hint">
          While it runs, a cover entry replaces the regular entries of its role (holiday or sickness cover).
        </p>
      </div>
      <SelectField name="time_zone" idPrefix="roster" label="Time zone" required value={zone} onChange={setZone} error={errors.fields.time_zone} options={zones.map((z) => ({ value: z, label: z }))} />
      <fieldset class="pattern">
        <legend>When</legend>
        <label class="radio-inline">
          <input type="radio" name="roster-pattern" value="weekly" checked={pattern === 'weekly'} onChange={() => setPattern('weekly')} /> Every week
        </label>
        <label class="radio-inline">
          <input type="radio" name="roster-pattern" value="once" checked={pattern === 'once'} onChange={() => setPattern('once')} /> Once
        </label>
      </fieldset>
      {pattern === 'weekly' ? (
        <>
          <fieldset class={daysError ? 'days field--error' : 'days'} aria-describedby={daysError ? 'roster-days-error' : undefined}>
            <legend>Days</legend>
            {daysError ? (
              <p class="field-error" id="roster-days-error">
                <span class="visually-hidden">Error: </span>
                {daysError}
              </p>
            ) : null}
            {weekdays.map((d) => (
              <label key={d.value} class="day">
                <input
                  type="checkbox"
                  checked={days.includes(d.value)}
                  onChange={(e) => setDays((e.currentTarget as HTMLInputElement).checked ? [...days, d.value] : days.filter((x) => x !== d.value))}
                />{' '}
                {d.label}
              </label>
            ))}
          </fieldset>
          <div class="schedule-fields">
            <TimeField name="weekly.start" label="Starts" value={start} onInput={setStart} error={errors.fields['weekly.start']} />
            <TimeField name="weekly.end" label="Ends" hint="At or before the start: the next day." value={end} onInput={setEnd} error={errors.fields['weekly.end']} />
          </div>
          <div class="schedule-fields">
            <TextField name="from_date" idPrefix="roster" label="From" type="date" value={fromDate} onInput={setFromDate} error={errors.fields.from_date} />
            <TextField name="until_date" idPrefix="roster" label="Until" type="date" value={untilDate} onInput={setUntilDate} error={errors.fields.until_date} />
          </div>
        </>
      ) : (
        <div class="schedule-fields">
          <DateTimeField name="once.starts_at" label="Starts" value={startsAt} onInput={setStartsAt} error={errors.fields['once.starts_at'] || errors.fields.once} />
          <DateTimeField name="once.ends_at" label="Ends" value={endsAt} onInput={setEndsAt} error={errors.fields['once.ends_at']} />
        </div>
      )}
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          Add to the roster
        </button>
      </div>
    </form>
  );
}

function TimeField(p: { name: string; label: string; hint?: string; value: string; onInput: (v: string) => void; error?: string }) {
  return <PlainInput {...p} type="time" />;
}

function DateTimeField(p: { name: string; label: string; value: string; onInput: (v: string) => void; error?: string }) {
  return <PlainInput {...p} type="datetime-local" />;
}

/** An input type TextField does not offer (time, datetime-local), with the same label and error layout. */
function PlainInput({ name, label, hint, value, onInput, error, type }: { name: string; label: string; hint?: string; value: string; onInput: (v: string) => void; error?: string; type: 'time' | 'datetime-local' }) {
  const id = `roster-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={error ? 'field field--error' : 'field'}>
      <label for={id}>{label}</label>
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          <span class="visually-hidden">Error: </span>
          {error}
        </p>
      ) : null}
      <input id={id} name={name} type={type as 'time'} value={value} required aria-invalid={error ? 'true' : undefined} aria-describedby={described} onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)} />
    </div>
  );
}

// ---- Webhooks

interface TestAnswer {
  /** What the server answers: {delivered, error}. */
  delivered?: boolean;
  ok?: boolean;
  status?: number | null;
  http_status?: number | null;
  error?: string | null;
  detail?: string | null;
  message?: string | null;
  duration_ms?: number | null;
}

/** What a test delivery's answer says, in one line. */
export function testWords(r: TestAnswer): string {
  const status = r.http_status ?? r.status;
  const ok = r.delivered ?? r.ok ?? (typeof status === 'number' && status >= 200 && status < 300);
  const parts = [ok ? 'Delivered' : 'Not delivered'];
  if (typeof status === 'number') parts.push(`the target answered ${status}`);
  const why = r.error ?? r.detail ?? r.message;
  if (why) parts.push(why);
  return `${parts.join(': ')}.`;
}

export function CrisisWebhooks() {
  const hooks = useGet<Items<CrisisWebhook>>('/api/v1/crisis/webhooks');
  const [rowNote, setRowNote] = useState('');
  const [rowError, setRowError] = useState('');
  const [created, setCreated] = useState<CrisisWebhook | null>(null);

  const test = async (h: CrisisWebhook) => {
    setRowError('');
    setRowNote(`Testing ${h.name}…`);
    try {
      const r = await api.post<TestAnswer>(`/api/v1/crisis/webhooks/${encodeURIComponent(h.id)}/test`, {});
      setRowNote(`${h.name}: ${testWords(r ?? {})}`);
    } catch (err) {
      setRowNote('');
      setRowError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'The test could not be sent.');
    }
  };
  const remove = async (h: CrisisWebhook) => {
    setRowError('');
    setRowNote('');
    try {
      await api.delete(`/api/v1/crisis/webhooks/${encodeURIComponent(h.id)}`);
      if (created?.id === h.id) setCreated(null);
      hooks.reload();
    } catch (err) {
      setRowError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'The webhook could not be removed.');
    }
  };
  const items = hooks.data?.items ?? [];

  return (
    <section class="section" aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Crisis webhooks</h2>
      <p>Paging or SMS gateways that Tend calls when an alert reaches them. Each delivery is signed with the webhook’s secret.</p>
      {rowError ? <ErrorMessage message={rowError} /> : null}
      {rowNote ? (
        <p class="notice" role="status">
          {rowNote}
        </p>
      ) : null}
      {hooks.loading && !hooks.data ? <Loading what="Loading webhooks" /> : null}
      {hooks.error ? <ErrorMessage message={problemToFormErrors(hooks.error.problem).summary} /> : null}
      {hooks.data && items.length === 0 ? <p>No webhooks: alerts reach people in Tend and by email only.</p> : null}
      {items.length ? (
        <div class="table-wrap" role="region" aria-label="Crisis webhooks (table)" tabIndex={0}>
          <table class="table webhooks">
            <caption class="visually-hidden">Crisis webhooks</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Address</th>
                <th scope="col">From level</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((h) => (
                <tr key={h.id}>
                  <td>{h.name}</td>
                  <td class="mono webhook-url">{h.url}</td>
                  <td>{levelWords(h.min_level)}</td>
                  <td>
                    <span class="row-actions">
                      <button type="button" class="button button--secondary button--small" onClick={() => void test(h)} aria-label={`Test ${h.name}`}>
                        Test
                      </button>
                      <button type="button" class="button button--secondary button--small" onClick={() => void remove(h)} aria-label={`Delete ${h.name}`}>
                        Delete
                      </button>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {created?.secret ? (
        <div class="notice token-once" role="status">
          <p>
            <strong>Secret of “{created.name}”.</strong> Copy it into the gateway now: it will not be shown again.
          </p>
          <p>
            <code class="mono secret" id="new-webhook-secret">
              {created.secret}
            </code>
          </p>
          <CopyButton text={created.secret} label="Copy secret" what="Secret" />
        </div>
      ) : null}
      <AddWebhook
        onAdded={(h) => {
          setCreated(h);
          hooks.reload();
        }}
      />
    </section>
  );
}

function AddWebhook({ onAdded }: { onAdded: (h: CrisisWebhook) => void }) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [minLevel, setMinLevel] = useState('high');
  const [secret, setSecret] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body: Record<string, string> = { name: name.trim(), url: url.trim(), min_level: minLevel };
      if (secret.trim()) body.secret = secret.trim();
      const h = await api.post<CrisisWebhook>('/api/v1/crisis/webhooks', body);
      setErrors(noErrors);
      setName('');
      setUrl('');
      setSecret('');
      onAdded({ ...h, name: h.name ?? body.name, secret: h.secret ?? body.secret });
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['name', 'url', 'min_level', 'secret']) : noErrors);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate class="form form--inline" aria-labelledby="add-webhook-heading">
      <h3 id="add-webhook-heading">Add a webhook</h3>
      <FormError message={errors.summary} />
      <TextField name="name" idPrefix="webhook" label="Name" required value={name} onInput={setName} autoComplete="off" error={errors.fields.name} />
      <TextField name="url" idPrefix="webhook" label="Address (URL)" hint="https://… of the paging or SMS gateway. Redirects are not followed; link-local and cloud metadata addresses are refused." required value={url} onInput={setUrl} autoComplete="off" spellcheck={false} error={errors.fields.url} />
      <SelectField
        name="min_level"
        idPrefix="webhook"
        label="Send alerts from this level up"
        required
        value={minLevel}
        onChange={setMinLevel}
        error={errors.fields.min_level}
        options={[...alertLevels].reverse().map((l) => ({ value: l, label: levelWords(l) }))}
      />
      <TextField name="secret" idPrefix="webhook" label="Secret" hint="Leave empty and Tend makes one." value={secret} onInput={setSecret} autoComplete="off" spellcheck={false} error={errors.fields.secret} />
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          Add webhook
        </button>
      </div>
    </form>
  );
}
