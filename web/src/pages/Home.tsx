import { ClientTable } from '../components/ClientTable';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { SearchBox } from '../components/SearchBox';
import { dueWords, formatDate } from '../format';
import { problemToFormErrors } from '../problem';
import type { ClientSummary, DueMeasure, Items, Page, User } from '../types';
import { useGet } from '../useApi';
import { FollowUpsSection, OpenAlertsSection } from './HomeCrisis';
import { administerPath } from './Measures';
import { MyTasksSection } from './Tasks';
import { NotesToSignSection } from './HomeNotes';
import { OpenAmendmentsSection } from './HomeAmendments';

export function HomePage({ user }: { user: User }) {
  const caseload = useGet<Page<ClientSummary>>('/api/v1/clients?mine=true&limit=100');
  return (
    <>
      <PageHeading title="Home">Hello, {user.display_name}</PageHeading>
      <OpenAlertsSection />
      <SearchBox id="quick-search" />
      <section aria-labelledby="caseload-heading" class="section">
        <h2 id="caseload-heading">My caseload</h2>
        {caseload.loading && !caseload.data ? <Loading what="Loading your caseload" /> : null}
        {caseload.error ? <ErrorMessage message={problemToFormErrors(caseload.error.problem).summary} /> : null}
        {caseload.data && caseload.data.items.length === 0 ? (
          <p>
            No clients on your care teams yet. <Link href="/clients/new">Register a new client</Link> or{' '}
            <Link href="/clients">find a client</Link>.
          </p>
        ) : null}
        {caseload.data && caseload.data.items.length > 0 ? (
          <>
            <ClientTable clients={caseload.data.items} caption="My caseload" />
            {caseload.data.next_cursor ? <p class="muted">Showing the first {caseload.data.items.length}. Use search to find others.</p> : null}
          </>
        ) : null}
      </section>
      <MyTasksSection />
      <NotesToSignSection />
      <OpenAmendmentsSection />
      <FollowUpsSection />
      <MeasuresDue />
    </>
  );
}

/** Overdue first (longest overdue at the top), then by due date. */
export function sortDue(items: readonly DueMeasure[]): DueMeasure[] {
  return [...items].sort((a, b) => {
    if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
    if (a.days_overdue !== b.days_overdue) return b.days_overdue - a.days_overdue;
    return a.due_date.localeCompare(b.due_date) || a.client_name.localeCompare(b.client_name);
  });
}

function MeasuresDue() {
  const due = useGet<Items<DueMeasure>>('/api/v1/assessments/due?mine=true');
  const items = sortDue(due.data?.items ?? []);
  return (
    <section aria-labelledby="due-heading" class="section">
      <h2 id="due-heading">Measures due</h2>
      {due.loading && !due.data ? <Loading what="Loading measures due" /> : null}
      {due.error ? <ErrorMessage message={problemToFormErrors(due.error.problem).summary} /> : null}
      {due.data && items.length === 0 ? <p>No questionnaires are due for your clients.</p> : null}
      {items.length ? (
        <div class="table-wrap" role="region" aria-label="Measures due (table)" tabIndex={0}>
          <table class="table due-table">
            <caption class="visually-hidden">Measures due, overdue first</caption>
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Questionnaire</th>
                <th scope="col">Due</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={`${d.schedule_id}-${d.due_date}`} class={d.overdue ? 'overdue' : undefined}>
                  <td>
                    <Link href={`/clients/${encodeURIComponent(d.client_id)}?tab=measures`}>{d.client_name}</Link>
                  </td>
                  <td>{d.instrument_name}</td>
                  <td>
                    <span class={d.overdue ? 'due due--overdue' : 'due'}>{dueWords(d)}</span>
                    {d.overdue ? <span class="muted wide-only"> (due {formatDate(d.due_date)})</span> : null}
                  </td>
                  <td>
                    <Link href={administerPath(d.client_id, d.instrument)} class="button button--secondary button--small" aria-label={`Administer the ${d.instrument_name} for ${d.client_name}`}>
                      Administer
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
