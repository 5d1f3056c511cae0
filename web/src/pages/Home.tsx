import { ClientTable } from '../components/ClientTable';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { SearchBox } from '../components/SearchBox';
import { problemToFormErrors } from '../problem';
import type { ClientSummary, Page, User } from '../types';
import { useGet } from '../useApi';

export function HomePage({ user }: { user: User }) {
  const caseload = useGet<Page<ClientSummary>>('/api/v1/clients?mine=true&limit=100');
  return (
    <>
      <PageHeading title="Home">Hello, {user.display_name}</PageHeading>
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
    </>
  );
}
