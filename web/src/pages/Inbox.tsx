// Staff messages: the inbox (threads with unread messages across the clinician's clients,
// newest first) and one thread, read on opening, with who read each message and a reply form.
// A staff-only thread is marked plainly: the client cannot see it.
import { FormError, TextArea } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { formatDateTime } from '../format';
import { inboxPath, staffReceiptWords, useConversation, useMessageEvents, type MessageItem, type MessageThread } from '../messages';
import { problemToFormErrors } from '../problem';
import { useGet } from '../useApi';
import './PortalMessages.css';

export function staffThreadHref(id: string): string {
  return `/messages/${encodeURIComponent(id)}`;
}

/** The mark on every staff-only thread. */
export function StaffOnly() {
  return <p class="staff-only">Staff only — the client cannot see this</p>;
}

/** /inbox */
export function InboxPage() {
  const inbox = useGet<{ items: MessageThread[]; unread: number }>(inboxPath);
  useMessageEvents(inbox.reload);
  const items = inbox.data?.items ?? [];
  return (
    <>
      <PageHeading title="Inbox" />
      <p class="lead">Messages you have not read, from your clients and about them.</p>
      {inbox.loading && !inbox.data ? <Loading what="Loading your inbox" /> : null}
      {inbox.error ? <ErrorMessage message={problemToFormErrors(inbox.error.problem).summary} /> : null}
      {inbox.data && items.length === 0 ? <p>Nothing unread.</p> : null}
      {items.length ? (
        <ul class="thread-list" aria-label="Unread conversations">
          {items.map((t) => (
            <li key={t.id} class="thread-item thread-item--unread">
              <Link href={staffThreadHref(t.id)}>{`${t.client_name ?? ''}: ${t.subject}`}</Link>
              <span class="tag">{t.unread} unread</span>
              {t.staff_only ? <span class="tag"> Staff only</span> : null}
              <div class="muted">Last message {formatDateTime(t.last_message_at)}</div>
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

function StaffMessage({ m }: { m: MessageItem }) {
  const who = m.kind === 'auto_reply' ? 'Tend (automatic reply)' : `${m.sender?.name ?? ''}${m.sender?.role === 'client' ? ' (client)' : ''}`;
  return (
    <li class={`message message--${m.kind === 'auto_reply' ? 'auto' : m.sender?.role === 'client' ? 'theirs' : 'mine'}`}>
      <article aria-label={`${who}, ${formatDateTime(m.created_at)}`}>
        <p class="message-meta">
          <strong>{who}</strong> <span class="muted">{formatDateTime(m.created_at)}</span>
        </p>
        <p class="message-body">{m.body}</p>
        <p class="message-receipt muted">{staffReceiptWords(m)}</p>
      </article>
    </li>
  );
}

/** /messages/:id — opening it marks it read (the client sees it read). */
export function StaffThreadPage({ id }: { id: string }) {
  const { thread, loadError, body, setBody, errors, busy, said, send } = useConversation(`/api/v1/threads/${encodeURIComponent(id)}`);

  if (loadError) {
    return (
      <>
        <PageHeading title="Conversation" />
        <ErrorMessage message={loadError} />
      </>
    );
  }
  if (!thread) return <Loading what="Opening the conversation" />;
  return (
    <>
      <PageHeading title={thread.subject} />
      <p>
        About <Link href={`/clients/${encodeURIComponent(thread.client_id)}?tab=messages`}>{thread.client_name ?? 'the client'}</Link>
      </p>
      {thread.staff_only ? <StaffOnly /> : null}
      <ol class="message-list" aria-label="Messages in this conversation">
        {(thread.messages ?? []).map((m) => (
          <StaffMessage key={m.id} m={m} />
        ))}
      </ol>
      <form class="form" onSubmit={send} noValidate aria-label="Reply">
        <FormError message={errors.summary} />
        <TextArea
          name="body"
          idPrefix="staff-reply"
          label={thread.staff_only ? 'Reply to the care team (the client will not see it)' : 'Reply to the client'}
          rows={4}
          value={body}
          onInput={setBody}
          error={errors.fields.body}
          required
        />
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>
            Send reply
          </button>
        </div>
        <p role="status" class="muted">
          {said}
        </p>
      </form>
      <p>
        <Link href="/inbox">Back to the inbox</Link>
      </p>
    </>
  );
}
