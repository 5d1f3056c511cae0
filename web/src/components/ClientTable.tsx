import { ageOn, formatDate, fullName, preferredNote } from '../format';
import type { ClientSummary } from '../types';
import { Link } from './Link';

/** A list of clients: name (linking to the chart), preferred name, age, date of birth, MRN. */
export function ClientTable({ clients, caption }: { clients: ClientSummary[]; caption: string }) {
  return (
    <div class="table-wrap" role="region" aria-label={`${caption} (table)`} tabIndex={0}>
      <table class="table">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Age</th>
            <th scope="col" class="wide-only">Date of birth</th>
            <th scope="col">MRN</th>
          </tr>
        </thead>
        <tbody>
          {clients.map((c) => {
            const preferred = preferredNote(c);
            const age = ageOn(c.date_of_birth);
            return (
              <tr key={c.id}>
                <td>
                  <Link href={`/clients/${encodeURIComponent(c.id)}`}>{fullName(c)}</Link>
                  {preferred ? <span class="muted"> (prefers {preferred})</span> : null}
                  {c.pronouns ? <span class="muted"> · {c.pronouns}</span> : null}
                  {c.status === 'archived' ? <span class="tag">Archived</span> : null}
                </td>
                <td>{age ?? '—'}</td>
                <td class="wide-only">{formatDate(c.date_of_birth)}</td>
                <td class="mono">{c.mrn}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
