// "Notes to sign" on the home page: the caller's drafts still unsigned a day after they were
// started, and the notes of supervisees waiting for the caller's co-signature. Each links to
// the client's "Sessions & notes" tab, where the note is signed.
import { Link } from '../components/Link';
import { ErrorMessage } from '../components/Page';
import { formatDateTime } from '../format';
import type { NotesToSign, NoteToSign } from '../noteTypes';
import { problemToFormErrors } from '../problem';
import { useGet } from '../useApi';

const chartNotes = (n: NoteToSign) => `/clients/${encodeURIComponent(n.client_id)}?tab=sessions`;

export function NotesToSignSection() {
  const waiting = useGet<NotesToSign>('/api/v1/notes/unsigned');
  // Staff who write no notes (front desk, admins) are refused the list: nothing to show them.
  if (waiting.error?.status === 403) return null;
  const d = waiting.data;
  return (
    <section aria-labelledby="notes-to-sign-heading" class="section">
      <h2 id="notes-to-sign-heading">Notes to sign</h2>
      {waiting.error ? <ErrorMessage message={problemToFormErrors(waiting.error.problem).summary} /> : null}
      {d && d.to_sign.length === 0 && d.to_cosign.length === 0 ? <p>No notes are waiting for your signature.</p> : null}
      {d && d.to_sign.length ? (
        <>
          <h3>Unsigned for more than a day</h3>
          <ul class="notes-to-sign">
            {d.to_sign.map((n) => (
              <li key={n.id}>
                <Link href={chartNotes(n)}>
                  {n.template.toUpperCase()} note for {n.client_name}
                </Link>{' '}
                <span class="muted">started {formatDateTime(n.created_at)}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {d && d.to_cosign.length ? (
        <>
          <h3>Waiting for your co-signature</h3>
          <ul class="notes-to-cosign">
            {d.to_cosign.map((n) => (
              <li key={n.id}>
                <Link href={chartNotes(n)}>
                  {n.template.toUpperCase()} note for {n.client_name}
                </Link>{' '}
                <span class="muted">
                  by {n.author.name}, signed {n.signed_at ? formatDateTime(n.signed_at) : ''}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p>
        <Link href="/group-notes/new">Write a group note</Link> <span class="muted">— one session, a draft on each member’s chart</span>
      </p>
    </section>
  );
}
