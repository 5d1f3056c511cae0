// "Correction requests" on the home page: open requests from the caller's clients to correct
// their record, oldest first, each linking to the client's chart where it is answered.
import { Link } from '../components/Link';
import { ErrorMessage } from '../components/Page';
import { formatDateTime } from '../format';
import { problemToFormErrors } from '../problem';
import type { Items } from '../types';
import { useGet } from '../useApi';
import type { Amendment } from './PortalRecord';

export const chartAmendments = (a: Pick<Amendment, 'client_id'>) => `/clients/${encodeURIComponent(a.client_id)}?tab=access-log`;

export function OpenAmendmentsSection() {
  const open = useGet<Items<Amendment>>('/api/v1/amendments?status=open');
  // Staff off care teams (front desk, admins, analysts) are refused: nothing to show them.
  if (open.error?.status === 403) return null;
  const items = open.data?.items ?? [];
  if (open.data && items.length === 0) return null;
  return (
    <section aria-labelledby="open-amendments-heading" class="section">
      <h2 id="open-amendments-heading">Correction requests</h2>
      {open.error ? <ErrorMessage message={problemToFormErrors(open.error.problem).summary} /> : null}
      <ul class="plain-list">
        {items.map((a) => (
          <li key={a.id}>
            <Link href={chartAmendments(a)}>{a.client_name ?? 'A client'} asks to correct: {a.what}</Link> <span class="muted">· {formatDateTime(a.created_at)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
