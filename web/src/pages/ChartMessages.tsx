// The chart's Messages tab: every thread about the client (with the client, and staff only,
// marked plainly), and a new thread — to the client, or to the care team only.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError, SelectField, TextArea, TextField } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading } from '../components/Page';
import { formatDateTime } from '../format';
import { checkMessage, useMessageEvents, type MessageThread } from '../messages';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import { navigate } from '../router';
import type { Items } from '../types';
import { useGet } from '../useApi';
import { staffThreadHref } from './Inbox';
import './PortalMessages.css';

const kinds = [
  { value: 'client', label: 'To the client' },
  { value: 'staff', label: 'Staff only — the client cannot see this' },
];

export function MessagesTab({ clientId }: { clientId: string }) {
  const path = `/api/v1/clients/${encodeURIComponent(clientId)}/threads`;
  const list = useGet<Items<MessageThread>>(path);
  useMessageEvents(list.reload);
  const [kind, setKind] = useState('client');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const items = list.data?.items ?? [];

  const start = async (e: Event) => {
    e.preventDefault();
    const checked = checkMessage({ subject, body });
    setErrors(checked);
    if (checked.summary) return;
    setBusy(true);
    try {
      const t = await api.post<MessageThread>(path, { kind, subject: subject.trim(), body: body.trim() });
      navigate(staffThreadHref(t.id));
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['kind', 'subject', 'body']) : noErrors);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {list.loading && !list.data ? <Loading what="Loading messages" /> : null}
      {list.error ? <ErrorMessage message={problemToFormErrors(list.error.problem).summary} /> : null}
      {list.data && items.length === 0 ? <p>No messages yet.</p> : null}
      {items.length ? (
        <ul class="thread-list" aria-label="Conversations about this client">
          {items.map((t) => (
            <li key={t.id} class={t.unread ? 'thread-item thread-item--unread' : 'thread-item'}>
              <Link href={staffThreadHref(t.id)}>{t.subject}</Link>
              {t.staff_only ? <span class="tag">Staff only — the client cannot see this</span> : null}
              {t.unread ? <span class="tag">{t.unread} unread</span> : null}
              <div class="muted">
                {t.message_count} {t.message_count === 1 ? 'message' : 'messages'} · last {formatDateTime(t.last_message_at)}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      <h3>New conversation</h3>
      <form class="form" onSubmit={start} noValidate aria-label="New conversation">
        <FormError message={errors.summary} />
        <SelectField name="kind" idPrefix="thread" label="Who can read it" value={kind} onChange={setKind} options={kinds} error={errors.fields.kind} required />
        <TextField name="subject" idPrefix="thread" label="Subject" value={subject} onInput={setSubject} error={errors.fields.subject} required />
        <TextArea name="body" idPrefix="thread" label="Message" rows={5} value={body} onInput={setBody} error={errors.fields.body} required />
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>
            Send
          </button>
        </div>
      </form>
    </>
  );
}
