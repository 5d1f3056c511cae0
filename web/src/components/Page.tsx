import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';

let firstPage = true;

/**
 * The page's <h1>, which also sets the document title. After a client-side navigation the
 * heading takes focus, so screen-reader users hear where they are (as on a full page load).
 */
export function PageHeading({ title, children }: { title: string; children?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} — Tend`;
  }, [title]);
  useEffect(() => {
    if (firstPage) {
      firstPage = false;
      return;
    }
    const h1 = document.getElementById('page-heading');
    if (h1 && !document.querySelector('dialog[open]')) h1.focus({ preventScroll: true });
  }, []);
  return (
    <h1 id="page-heading" tabIndex={-1}>
      {children ?? title}
    </h1>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="loading" role="status">
      {what}…
    </p>
  );
}

export function ErrorMessage({ message }: { message: string }) {
  return (
    <div class="form-error" role="alert">
      <p>{message}</p>
    </div>
  );
}
