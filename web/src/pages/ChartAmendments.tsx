// A client's requests to correct their record, in the chart (the Access log tab): each with
// what the client asked and, while open, accept (with an optional note) or refuse (with the
// reason the client will read, 10 characters at least). Answers are final and kept.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError, TextArea } from '../components/Field';
import { ErrorMessage, Loading } from '../components/Page';
import { formatDateTime } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { Items } from '../types';
import { useGet } from '../useApi';
import { focusFirstError } from './forms';
import type { Amendment } from './PortalRecord';

/** The shortest refusal reason the server takes. */
export const minRefusalReason = 10;

/** A decided request in the care team's words. */
export function decisionWords(a: Pick<Amendment, 'status' | 'decided_by' | 'decided_at' | 'reason'>): string {
  if (a.status === 'open') return 'Open: waiting for an answer';
  const verb = a.status === 'accepted' ? 'Accepted' : 'Refused';
  return `${verb}${a.decided_by ? ` by ${a.decided_by.name}` : ''}${a.decided_at ? `, ${formatDateTime(a.decided_at)}` : ''}${a.reason ? ` — “${a.reason}”` : ''}`;
}

function Decide({ a, onDone }: { a: Amendment; onDone: () => void }) {
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);
  const decide = async (accept: boolean) => {
    if (!accept && text.trim().length < minRefusalReason) {
      setErrors({ summary: '', fields: { reason: `Say why, in at least ${minRefusalReason} characters: the client will read it.` } });
      return;
    }
    setBusy(true);
    try {
      const path = `/api/v1/amendments/${encodeURIComponent(a.id)}/${accept ? 'accept' : 'refuse'}`;
      await api.post<Amendment>(path, accept ? (text.trim() ? { note: text } : {}) : { reason: text });
      setErrors(noErrors);
      onDone();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem) : { summary: 'Something went wrong. Please try again.', fields: {} });
      if (err instanceof ApiError && err.status === 409) onDone();
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="amendment-decide">
      <FormError message={errors.summary} />
      <TextArea
        name="reason"
        idPrefix={`am-${a.id}`}
        label="Your answer to the client"
        hint="Needed to refuse (the client reads it); optional when you accept."
        value={text}
        onInput={setText}
        error={errors.fields.reason ?? errors.fields.note}
        required={false}
      />
      <div class="button-row">
        <button type="button" class="button" disabled={busy} onClick={() => void decide(true)}>
          Accept
        </button>{' '}
        <button type="button" class="button button--secondary" disabled={busy} onClick={() => void decide(false)}>
          Refuse
        </button>
      </div>
    </div>
  );
}

export function AmendmentsSection({ clientId }: { clientId: string }) {
  const list = useGet<Items<Amendment>>(`/api/v1/clients/${encodeURIComponent(clientId)}/amendments`);
  if (list.error?.status === 403) return null;
  const items = list.data?.items ?? [];
  return (
    <section class="section" id="amendments" aria-labelledby="amendments-heading">
      <h3 id="amendments-heading">Correction requests</h3>
      {list.loading && !list.data ? <Loading what="Loading correction requests" /> : null}
      {list.error ? <ErrorMessage message={problemToFormErrors(list.error.problem).summary} /> : null}
      {list.data && items.length === 0 ? <p>The client has not asked for a correction.</p> : null}
      {items.length ? (
        <ul class="plain-list amendments">
          {items.map((a) => (
            <li key={a.id} class="amendment">
              <p>
                <strong>{a.what}</strong> <span class="muted">· asked {formatDateTime(a.created_at)}</span>
              </p>
              <p class="note-text">{a.change}</p>
              <p class={`amendment-answer amendment-answer--${a.status}`}>{decisionWords(a)}</p>
              {a.status === 'open' ? <Decide a={a} onDone={list.reload} /> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
