// The clinician home page's crisis parts: open alerts first, then caring-contact follow-ups
// (overdue ones marked) with "Done".
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { useOpenAlerts } from '../alertStore';
import { useNow } from '../components/AlertBanner';
import { Dialog } from '../components/Dialog';
import { FormError, SelectField, TextArea } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading } from '../components/Page';
import { deadlineWords, stepName } from '../crisis';
import { onEvent } from '../events';
import { formatDateTime } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { FollowUp, Items } from '../types';
import { useGet } from '../useApi';
import { LevelTag } from './Alerts';
import { focusFirstError } from './forms';

export function OpenAlertsSection() {
  const { open } = useOpenAlerts();
  const now = useNow(15_000, open.length > 0);
  if (!open.length) return null;
  return (
    <section aria-labelledby="open-alerts-heading" class="section home-alerts">
      <h2 id="open-alerts-heading">Open alerts</h2>
      <ul class="home-alert-list">
        {open.map((a) => {
          const due = deadlineWords(a.deadline_at, now);
          return (
            <li key={a.id}>
              <LevelTag level={a.level} /> <Link href={`/clients/${encodeURIComponent(a.client_id)}`}>{a.client_name || a.client_id}</Link> — {a.reason}{' '}
              <span class={due.overdue ? 'due due--overdue' : 'muted'}>
                ({due.text}; with the {stepName(a.step_name)})
              </span>{' '}
              <Link href={`/alerts/${encodeURIComponent(a.id)}`} class="button button--secondary button--small" aria-label={`Open the alert for ${a.client_name || a.client_id}`}>
                Open
              </Link>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** Overdue first, then by when they are due. */
export function sortFollowUps(items: readonly FollowUp[]): FollowUp[] {
  return [...items].sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.due_at.localeCompare(b.due_at));
}

const results = [
  { value: 'reached', label: 'Reached the client' },
  { value: 'no_answer', label: 'No answer' },
  { value: 'message_left', label: 'Left a message' },
];

export function FollowUpsSection() {
  const followUps = useGet<Items<FollowUp>>('/api/v1/follow-ups?mine=true');
  const [doing, setDoing] = useState<FollowUp | null>(null);
  const [said, setSaid] = useState('');
  useEffect(() => onEvent('crisis.follow_up_due', () => followUps.reload()), []);
  const items = sortFollowUps((followUps.data?.items ?? []).filter((f) => f.status !== 'done'));
  return (
    <section aria-labelledby="follow-ups-heading" class="section">
      <h2 id="follow-ups-heading">Caring contacts</h2>
      <p class="muted">Follow-ups after a crisis alert: a short call or message to see how the client is.</p>
      {said ? (
        <p class="notice" role="status">
          {said}
        </p>
      ) : null}
      {followUps.loading && !followUps.data ? <Loading what="Loading follow-ups" /> : null}
      {followUps.error ? <ErrorMessage message={problemToFormErrors(followUps.error.problem).summary} /> : null}
      {followUps.data && items.length === 0 ? <p>No follow-ups to do.</p> : null}
      {items.length ? (
        <div class="table-wrap" role="region" aria-label="Caring contacts (table)" tabIndex={0}>
          <table class="table follow-ups">
            <caption class="visually-hidden">Caring-contact follow-ups, overdue first</caption>
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Follow-up</th>
                <th scope="col">Due</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((f) => (
                <tr key={f.id} class={f.overdue ? 'overdue' : undefined}>
                  <td>
                    <Link href={`/clients/${encodeURIComponent(f.client_id)}`}>{f.client_name}</Link>
                  </td>
                  <td>{f.label ? `${f.label} after the alert` : 'Follow-up'}</td>
                  <td>
                    {f.overdue ? <span class="due due--overdue">Overdue </span> : null}
                    <span class={f.overdue ? 'muted' : undefined}>{f.overdue ? `(due ${formatDateTime(f.due_at)})` : formatDateTime(f.due_at)}</span>
                  </td>
                  <td>
                    <button
                      type="button"
                      class="button button--secondary button--small"
                      onClick={() => {
                        setSaid('');
                        setDoing(f);
                      }}
                      aria-label={`Done: ${f.label} follow-up for ${f.client_name}`}
                    >
                      Done
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Dialog open={!!doing} title={doing ? `Follow-up for ${doing.client_name}` : 'Follow-up'} onClose={() => setDoing(null)} id="follow-up-done">
        {doing ? (
          <CompleteFollowUp
            followUp={doing}
            onDone={() => {
              setSaid(`Follow-up for ${doing.client_name} recorded.`);
              setDoing(null);
              followUps.reload();
            }}
            onCancel={() => setDoing(null)}
          />
        ) : null}
      </Dialog>
    </section>
  );
}

function CompleteFollowUp({ followUp, onDone, onCancel }: { followUp: FollowUp; onDone: () => void; onCancel: () => void }) {
  const [result, setResult] = useState('reached');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body: Record<string, string> = { result };
      if (note.trim()) body.note = note.trim();
      await api.post(`/api/v1/follow-ups/${encodeURIComponent(followUp.id)}/complete`, body);
      onDone();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['result', 'note']) : noErrors);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate class="form">
      <FormError message={errors.summary} />
      <SelectField name="result" idPrefix="fu" label="What happened?" required value={result} onChange={setResult} error={errors.fields.result} options={results} />
      <TextArea name="note" idPrefix="fu" label="Note" rows={3} value={note} onInput={setNote} error={errors.fields.note} />
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          Record follow-up
        </button>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
