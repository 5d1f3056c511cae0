// The portal's secure messages, phone first: the list of the client's threads with their care
// team, a new message (with the office-hours note before sending when the office is closed),
// and a thread, read on opening, where an automatic reply outside office hours shows the crisis
// lines and the "I need help now" action (the header's, reused).
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { CrisisLines } from '../components/CrisisLines';
import { FormError, TextArea, TextField } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { formatDateTime } from '../format';
import { checkMessage, clientReceiptWords, closedWords, myThreadsPath, officeHoursPath, useConversation, useMessageEvents, type MessageItem, type MessageThread, type OfficeHours } from '../messages';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import { navigate } from '../router';
import type { Items } from '../types';
import { useGet } from '../useApi';
import { HelpNowButton } from './PortalCrisis';
import './PortalMessages.css';

export function threadHref(id: string): string {
  return `/portal/messages/${encodeURIComponent(id)}`;
}

/** The note before writing while the office is closed: when it will be read, and where to go now. */
export function ClosedNote({ hours }: { hours: OfficeHours | null }) {
  if (!hours || hours.open) return null;
  return (
    <div class="office-closed" role="note" aria-label="Office hours">
      <p>
        <strong>{closedWords(hours)}</strong>
      </p>
      <p>If you are not safe, do not wait for a reply:</p>
      <p>
        <HelpNowButton />
      </p>
    </div>
  );
}

/** The portal home's card: unread messages and the way in. */
export function MessagesCard() {
  const list = useGet<Items<MessageThread>>(myThreadsPath);
  useMessageEvents(list.reload);
  const unread = (list.data?.items ?? []).reduce((n, t) => n + t.unread, 0);
  return (
    <section class="card" aria-labelledby="messages-card">
      <h2 id="messages-card">Messages</h2>
      <p>{unread ? `You have ${unread} new ${unread === 1 ? 'message' : 'messages'} from your care team.` : 'Write to your care team between sessions.'}</p>
      <p>
        <Link href="/portal/messages" class="button button--secondary">
          Open messages
        </Link>
      </p>
    </section>
  );
}

/** /portal/messages */
export function PortalMessagesPage() {
  const list = useGet<Items<MessageThread>>(myThreadsPath);
  const hours = useGet<OfficeHours>(officeHoursPath);
  useMessageEvents(list.reload);
  const items = list.data?.items ?? [];
  return (
    <>
      <PageHeading title="Messages" />
      <p class="lead">Messages with your care team. They are private and kept safe.</p>
      {hours.data ? <p class="muted">Office hours: {hours.data.hours}.</p> : null}
      <ClosedNote hours={hours.data} />
      <p>
        <Link href="/portal/messages/new" class="button">
          New message
        </Link>
      </p>
      {list.loading && !list.data ? <Loading what="Loading your messages" /> : null}
      {list.error ? <ErrorMessage message={problemToFormErrors(list.error.problem).summary} /> : null}
      {list.data && items.length === 0 ? <p>No messages yet.</p> : null}
      {items.length ? (
        <ul class="thread-list" aria-label="Your conversations">
          {items.map((t) => (
            <li key={t.id} class={t.unread ? 'thread-item thread-item--unread' : 'thread-item'}>
              <Link href={threadHref(t.id)}>{t.subject}</Link>
              <span class="muted"> · {formatDateTime(t.last_message_at)}</span>
              {t.unread ? <span class="tag">{t.unread} new</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <p class="leave">
        <Link href="/portal">Back to home</Link>
      </p>
    </>
  );
}

/** /portal/messages/new */
export function PortalNewMessagePage() {
  const hours = useGet<OfficeHours>(officeHoursPath);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const send = async (e: Event) => {
    e.preventDefault();
    const checked = checkMessage({ subject, body });
    setErrors(checked);
    if (checked.summary) return;
    setBusy(true);
    try {
      const t = await api.post<MessageThread>(myThreadsPath, { subject: subject.trim(), body: body.trim() });
      navigate(threadHref(t.id));
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['subject', 'body']) : noErrors);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <PageHeading title="New message" />
      <ClosedNote hours={hours.data} />
      <form class="form" onSubmit={send} noValidate aria-label="New message to your care team">
        <FormError message={errors.summary} />
        <TextField name="subject" idPrefix="message" label="Subject" value={subject} onInput={setSubject} error={errors.fields.subject} required />
        <TextArea name="body" idPrefix="message" label="Your message" rows={6} value={body} onInput={setBody} error={errors.fields.body} required />
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>
            Send to my care team
          </button>
        </div>
      </form>
      <p class="leave">
        <Link href="/portal/messages">Back to messages</Link>
      </p>
    </>
  );
}

function MessageView({ m }: { m: MessageItem }) {
  const mine = m.sender?.role === 'client';
  const who = m.kind === 'auto_reply' ? 'Tend (automatic reply)' : mine ? 'You' : (m.sender?.name ?? 'Your care team');
  return (
    <li class={`message message--${m.kind === 'auto_reply' ? 'auto' : mine ? 'mine' : 'theirs'}`}>
      <article aria-label={`${who}, ${formatDateTime(m.created_at)}`}>
        <p class="message-meta">
          <strong>{who}</strong> <span class="muted">{formatDateTime(m.created_at)}</span>
        </p>
        <p class="message-body">{m.body}</p>
        {m.kind === 'auto_reply' ? (
          <div class="message-crisis">
            <CrisisLines resources={m.crisis_resources} headingLevel={2} idPrefix={`lines-${m.id}`} />
            <p>
              <HelpNowButton />
            </p>
          </div>
        ) : null}
        <p class="message-receipt muted">{clientReceiptWords(m)}</p>
      </article>
    </li>
  );
}

/** /portal/messages/:id — opening it marks it read; new messages arrive live. */
export function PortalThreadPage({ id }: { id: string }) {
  const hours = useGet<OfficeHours>(officeHoursPath);
  const { thread, loadError, body, setBody, errors, busy, said, send } = useConversation(`${myThreadsPath}/${encodeURIComponent(id)}`, hours.reload);

  if (loadError) {
    return (
      <>
        <PageHeading title="Conversation" />
        <ErrorMessage message={loadError} />
        <p class="leave">
          <Link href="/portal/messages">Back to messages</Link>
        </p>
      </>
    );
  }
  if (!thread) return <Loading what="Opening the conversation" />;
  return (
    <>
      <PageHeading title={thread.subject} />
      <ol class="message-list" aria-label="Messages in this conversation">
        {(thread.messages ?? []).map((m) => (
          <MessageView key={m.id} m={m} />
        ))}
      </ol>
      <ClosedNote hours={hours.data} />
      <form class="form" onSubmit={send} noValidate aria-label="Reply">
        <FormError message={errors.summary} />
        <TextArea name="body" idPrefix="reply" label="Reply" rows={4} value={body} onInput={setBody} error={errors.fields.body} required />
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>
            Send
          </button>
        </div>
        <p role="status" class="muted">
          {said}
        </p>
      </form>
      <p class="leave">
        <Link href="/portal/messages">Back to messages</Link>
      </p>
    </>
  );
}
