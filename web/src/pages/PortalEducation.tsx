// The portal's reading: a "Reading for you" card listing the articles the care team gave the
// client, and the article's page, where the client reads it, marks it read and says how useful
// it was. The article's HTML comes from the server, rendered from the library's Markdown in
// cmark's safe mode (raw HTML dropped, unsafe links emptied); it is the only HTML inserted.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { problemToFormErrors } from '../problem';
import type { Items } from '../types';
import { useGet } from '../useApi';
import { FromService, type EducationAssignment } from './ChartEducation';

/** One article with its body as safe HTML (GET /api/v1/education/articles/{slug}). */
export interface ArticlePage {
  slug: string;
  title: string;
  summary: string;
  minutes: number;
  html: string;
}

export const myReadingPath = '/api/v1/me/education';

/** The link to an article's page in the portal. */
export function readingHref(slug: string): string {
  return `/portal/reading/${encodeURIComponent(slug)}`;
}

/** The article's HTML without its own leading title: the page's heading already shows it. */
export function withoutTitle(html: string): string {
  return html.replace(/^\s*<h1>[^<]*<\/h1>\s*/, '');
}

/** Where a piece of reading stands, in the client's words. */
export function readingWords(a: Pick<EducationAssignment, 'status' | 'rating' | 'minutes'>): string {
  if (a.status === 'read') return a.rating ? 'Read · thank you for saying how useful it was' : 'Read';
  return a.minutes ? `New · about ${a.minutes} minutes` : 'New';
}

export function ReadingCard() {
  const list = useGet<Items<EducationAssignment>>(myReadingPath);
  const items = list.data?.items ?? [];
  if (list.data && items.length === 0) return null;
  return (
    <section class="card" aria-labelledby="reading">
      <h2 id="reading">Reading for you</h2>
      {list.loading && !list.data ? <Loading what="Loading your reading" /> : null}
      {list.error ? <ErrorMessage message={problemToFormErrors(list.error.problem).summary} /> : null}
      {items.length ? (
        <ul class="plain-list">
          {items.map((a) => (
            <li key={a.id}>
              <Link href={readingHref(a.slug)}>{a.title ?? a.slug}</Link>
              <span class="muted"> · {readingWords(a)}</span> <FromService a={a} />
              {a.note ? <p>{`${a.assigned_by.name}: “${a.note}”`}</p> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

const usefulness = [
  { value: 1, label: 'Not useful' },
  { value: 2, label: 'A little' },
  { value: 3, label: 'Somewhat' },
  { value: 4, label: 'Useful' },
  { value: 5, label: 'Very useful' },
];

export function ReadingPage({ slug }: { slug: string }) {
  const article = useGet<ArticlePage>(`/api/v1/education/articles/${encodeURIComponent(slug)}`);
  const list = useGet<Items<EducationAssignment>>(myReadingPath);
  const [changed, setChanged] = useState<EducationAssignment | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  // The choice shows at once; it goes back if the server refuses it.
  const [choice, setChoice] = useState<number | null>(null);
  const given = (list.data?.items ?? []).find((a) => a.slug === slug) ?? null;
  const a = changed && given && changed.id === given.id ? changed : given;
  const send = async (what: 'read' | 'rating', body: object) => {
    if (!a) return;
    setBusy(true);
    try {
      setChanged(await api.post<EducationAssignment>(`/api/v1/me/education/${encodeURIComponent(a.id)}/${what}`, body));
      setError('');
    } catch (err) {
      setError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'Something went wrong. Please try again.');
      setChoice(null);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <PageHeading title={article.data?.title ?? 'Reading'} />
      <p>
        <Link href="/portal">Back to home</Link>
      </p>
      {article.loading && !article.data ? <Loading what="Opening the article" /> : null}
      {article.error ? <ErrorMessage message={problemToFormErrors(article.error.problem).summary} /> : null}
      {article.data ? (
        <>
          {a?.note ? <p class="notice">{`${a.assigned_by.name}: “${a.note}”`}</p> : null}
          {/* Safe HTML from the server (cmark safe mode); nothing else is inserted as HTML. */}
          <article class="reading" dangerouslySetInnerHTML={{ __html: withoutTitle(article.data.html) }} />
        </>
      ) : null}
      {article.data && a ? (
        <section class="card" aria-labelledby="reading-done">
          <h2 id="reading-done">{a.status === 'read' ? 'You have read this' : 'Finished reading?'}</h2>
          <FormError message={error} />
          {a.status === 'assigned' ? (
            <button type="button" class="button" disabled={busy} onClick={() => void send('read', {})}>
              Mark as read
            </button>
          ) : (
            <fieldset>
              <legend>Was this useful?</legend>
              <div class="choices">
                {usefulness.map((u) => (
                  <label key={u.value} class="choice">
                    <input
                      type="radio"
                      name="usefulness"
                      value={String(u.value)}
                      checked={(choice ?? a.rating) === u.value}
                      onChange={() => {
                        setChoice(u.value);
                        void send('rating', { rating: u.value });
                      }}
                    />
                    {`${u.value} · ${u.label}`}
                  </label>
                ))}
              </div>
            </fieldset>
          )}
          {a.status === 'read' && a.rating ? (
            <p role="status">Thank you. Your care team will see how useful you found it.</p>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
