// The chart's Education section: search the psychoeducation library, give the client an
// article with an optional note, and see what they were given, what they read and how useful
// they found it. An unread article can be taken back. Suggested reading comes from the
// client's diagnoses and recent measures, each with its reasons, and is given with one tap;
// a service's own articles are marked "From your service".
import { useState } from 'preact/hooks';
import { api, ApiError, query } from '../api';
import { FormError, TextArea, TextField } from '../components/Field';
import { ErrorMessage, Loading } from '../components/Page';
import { formatDateTime } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { Items } from '../types';
import { useGet } from '../useApi';

/** An article of the library, as listed. */
export interface ArticleSummary {
  slug: string;
  title: string;
  summary: string;
  kind: 'article' | 'exercise';
  minutes: number;
  /** The service's own article (education_dir), not one built into Tend. */
  from_service?: boolean;
}

/** An article suggested for a client (GET /api/v1/clients/{id}/education/suggestions). */
export interface SuggestedArticle extends ArticleSummary {
  reasons: string[];
}

/** The reasons for a suggestion as one line. */
export function reasonWords(reasons: readonly string[]): string {
  return reasons.length ? `Because of ${reasons.join('; ')}` : '';
}

export function FromService({ a }: { a: Pick<ArticleSummary, 'from_service'> }) {
  return a.from_service ? <span class="tag">From your service</span> : null;
}

/** An article given to a client (GET /api/v1/clients/{id}/education, /api/v1/me/education). */
export interface EducationAssignment {
  id: string;
  client_id: string;
  slug: string;
  title?: string;
  summary?: string;
  kind?: string;
  minutes?: number;
  /** The service's own article (education_dir). */
  from_service?: boolean;
  note: string;
  status: 'assigned' | 'read' | 'cancelled';
  assigned_by: { id: string; name: string };
  assigned_at: string;
  read_at: string | null;
  rating: number | null;
  rated_at: string | null;
  version: number;
}

/** Where an assignment stands, in a few words for the care team. */
export function assignmentStatusWords(a: Pick<EducationAssignment, 'status' | 'read_at' | 'rating'>): string {
  if (a.status === 'cancelled') return 'Taken back';
  if (a.status === 'assigned') return 'Not read yet';
  const read = a.read_at ? `Read ${formatDateTime(a.read_at)}` : 'Read';
  return a.rating ? `${read} · useful ${a.rating} of 5` : `${read} · not rated`;
}

export function EducationSection({ clientId }: { clientId: string }) {
  const path = `/api/v1/clients/${encodeURIComponent(clientId)}/education`;
  const list = useGet<Items<EducationAssignment>>(path);
  const [words, setWords] = useState('');
  const [search, setSearch] = useState('');
  const found = useGet<Items<ArticleSummary>>(search ? `/api/v1/education/articles${query({ q: search })}` : null);
  const [chosen, setChosen] = useState<ArticleSummary | null>(null);
  const [said, setSaid] = useState('');
  const [error, setError] = useState('');
  const suggested = useGet<Items<SuggestedArticle>>(`${path}/suggestions`);
  const [giving, setGiving] = useState('');
  const items = list.data?.items ?? [];
  const giveNow = async (a: SuggestedArticle) => {
    setGiving(a.slug);
    try {
      await api.post<EducationAssignment>(path, { slug: a.slug });
      setSaid(`Gave “${a.title}”.`);
      setError('');
    } catch (err) {
      setError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'Something went wrong. Please try again.');
    } finally {
      setGiving('');
    }
    list.reload();
    suggested.reload();
  };
  const takeBack = async (a: EducationAssignment) => {
    try {
      await api.post(`/api/v1/education-assignments/${encodeURIComponent(a.id)}/cancel`, { version: a.version });
      setSaid(`Took back “${a.title ?? a.slug}”.`);
      setError('');
    } catch (err) {
      setError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'Something went wrong. Please try again.');
    }
    list.reload();
  };
  return (
    <section class="card" aria-labelledby="education">
      <h3 id="education">Education</h3>
      {said ? (
        <p class="notice" role="status">
          {said}
        </p>
      ) : null}
      <FormError message={error} />
      {list.loading && !list.data ? <Loading what="Loading the reading given" /> : null}
      {list.error ? <ErrorMessage message={problemToFormErrors(list.error.problem).summary} /> : null}
      {list.data && items.length === 0 ? <p>No articles given yet.</p> : null}
      {items.length ? (
        <ul class="plain-list" aria-label="Articles given">
          {items.map((a) => (
            <li key={`${a.id}-${a.version}`}>
              <strong>{a.title ?? a.slug}</strong>
              <span> · {assignmentStatusWords(a)}</span>
              <span class="muted">
                {' '}
                · given by {a.assigned_by.name}, {formatDateTime(a.assigned_at)}
              </span>
              {a.note ? <p class="muted">Note: {a.note}</p> : null}
              {a.status === 'assigned' ? (
                <button type="button" class="button button--secondary button--small" onClick={() => void takeBack(a)} aria-label={`Take back ${a.title ?? a.slug}`}>
                  Take back
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {suggested.data && suggested.data.items.length ? (
        <>
          <h4 id="education-suggested">Suggested for this client</h4>
          <ul class="plain-list" aria-labelledby="education-suggested">
            {suggested.data.items.map((a) => (
              <li key={a.slug}>
                <strong>{a.title}</strong> <span class="muted">({a.minutes} min)</span> <FromService a={a} />
                <div class="muted">{reasonWords(a.reasons)}</div>
                <button type="button" class="button button--secondary button--small" disabled={giving === a.slug} onClick={() => void giveNow(a)} aria-label={`Give now: ${a.title}`}>
                  Give now
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <form
        class="form"
        role="search"
        aria-label="Find an article to give"
        onSubmit={(ev) => {
          ev.preventDefault();
          setSearch(words.trim());
          setChosen(null);
        }}
      >
        <TextField name="q" idPrefix="education" type="search" label="Search the library" value={words} onInput={setWords} required />
        <button type="submit" class="button button--secondary button--small">
          Search
        </button>
      </form>
      {found.loading ? <Loading what="Searching" /> : null}
      {found.data && found.data.items.length === 0 ? <p>No article matches “{search}”.</p> : null}
      {found.data && found.data.items.length ? (
        <ul class="plain-list" aria-label="Articles found">
          {found.data.items.map((f) => (
            <li key={f.slug}>
              <strong>{f.title}</strong> <span class="muted">({f.minutes} min)</span> <FromService a={f} />
              <div class="muted">{f.summary}</div>
              {chosen?.slug === f.slug ? (
                <AssignForm
                  article={f}
                  path={path}
                  onDone={() => {
                    setChosen(null);
                    setSaid(`Gave “${f.title}”.`);
                    list.reload();
                  }}
                  onCancel={() => setChosen(null)}
                />
              ) : (
                <button type="button" class="button button--secondary button--small" onClick={() => setChosen(f)} aria-label={`Give ${f.title}`}>
                  Give
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function AssignForm({ article, path, onDone, onCancel }: { article: ArticleSummary; path: string; onDone: () => void; onCancel: () => void }) {
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    try {
      await api.post<EducationAssignment>(path, { slug: article.slug, note: note.trim() || undefined });
      onDone();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['slug', 'note']) : noErrors);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit} noValidate aria-label={`Give ${article.title}`}>
      <FormError message={errors.summary} />
      <TextArea name="note" idPrefix={`give-${article.slug}`} label="A note to the client" value={note} onInput={setNote} error={errors.fields.note ?? errors.fields.slug} />
      <div class="actions">
        <button type="submit" class="button button--small" disabled={busy} aria-label={`Give to the client: ${article.title}`}>
          Give to the client
        </button>
        <button type="button" class="button button--secondary button--small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
