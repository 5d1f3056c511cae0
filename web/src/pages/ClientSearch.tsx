import { query } from '../api';
import { ClientTable } from '../components/ClientTable';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { SearchBox } from '../components/SearchBox';
import { problemToFormErrors } from '../problem';
import { useLocation } from '../router';
import type { ClientSummary, Page } from '../types';
import { useGet } from '../useApi';

export const pageSize = 25;

/** /clients?q=…&cursor=… — the query and page live in the address, so Back goes to the last page. */
export function ClientSearchPage() {
  const { query: params } = useLocation();
  const q = params.get('q') ?? '';
  const cursor = params.get('cursor') ?? '';
  const results = useGet<Page<ClientSummary>>(`/api/v1/clients${query({ q, limit: pageSize, cursor })}`);
  const next = results.data?.next_cursor;

  return (
    <>
      <PageHeading title="Clients" />
      <SearchBox initial={q} key={q} />
      <section class="section" aria-labelledby="results-heading">
        <h2 id="results-heading">{q ? `Results for “${q}”` : 'All clients'}</h2>
        {results.loading ? <Loading what="Searching" /> : null}
        {results.error ? <ErrorMessage message={problemToFormErrors(results.error.problem).summary} /> : null}
        {results.data && !results.loading ? (
          results.data.items.length === 0 ? (
            <p>No clients found. Check the spelling, or try the first letters of a name.</p>
          ) : (
            <>
              <ClientTable clients={results.data.items} caption={q ? `Clients matching ${q}` : 'Clients'} />
              <div class="pager">
                {cursor ? (
                  <Link class="button button--secondary" href={`/clients${query({ q })}`}>
                    First page
                  </Link>
                ) : null}
                {next ? (
                  <Link class="button button--secondary" href={`/clients${query({ q, cursor: next })}`}>
                    Next page
                  </Link>
                ) : null}
              </div>
            </>
          )
        ) : null}
      </section>
      <p>
        Not found? <Link href="/clients/new">Register a new client</Link>.
      </p>
    </>
  );
}
