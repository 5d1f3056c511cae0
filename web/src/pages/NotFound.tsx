import { Link } from '../components/Link';
import { PageHeading } from '../components/Page';

export function NotFoundPage() {
  return (
    <>
      <PageHeading title="Page not found" />
      <p>There is no page at this address. Check the address, or go to <Link href="/">the home page</Link>.</p>
    </>
  );
}
