// The portal's "My record": who has seen it, in plain words (one line per person, day and kind
// of record, from the access log; the client's own looks left out); downloading it, as a FHIR
// file for another service's system or as a readable page to keep or print (psychotherapy
// notes are never part of either); and asking for a correction, with every request and the
// care team's answer kept and shown.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, query } from '../api';
import { FormError, TextArea, TextField } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { formatDateTime } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { Items } from '../types';
import { useGet } from '../useApi';
import { focusFirstError } from './forms';

/** One line of "who has seen my record" (GET /api/v1/me/access-log). */
export interface AccessLine {
  text: string;
  who: string;
  did: string;
  what: string;
  day: string;
  first_at: string;
  last_at: string;
  times: number;
  emergency: boolean;
  automatic: boolean;
  refused: boolean;
}

/** A request to correct the record, with its answer once decided. */
export interface Amendment {
  id: string;
  client_id: string;
  client_name?: string;
  what: string;
  change: string;
  ref_kind: string | null;
  ref_id: string | null;
  status: 'open' | 'accepted' | 'refused';
  created_at: string;
  decided_at: string | null;
  decided_by: { id: string; name: string } | null;
  reason: string | null;
}

export const myAccessLogPath = '/api/v1/me/access-log';
export const myAmendmentsPath = '/api/v1/me/amendments';

/** Where a request stands, in the client's words. */
export function amendmentAnswer(a: Pick<Amendment, 'status' | 'decided_by' | 'decided_at' | 'reason'>): string {
  if (a.status === 'open') return 'Waiting for an answer from your care team.';
  const by = a.decided_by ? ` by ${a.decided_by.name}` : '';
  const when = a.decided_at ? ` on ${formatDateTime(a.decided_at)}` : '';
  const verb = a.status === 'accepted' ? 'Accepted' : 'Not changed';
  return `${verb}${by}${when}${a.reason ? `: “${a.reason}”` : '.'}`;
}

export function RecordCard() {
  return (
    <section class="card" aria-labelledby="my-record-card">
      <h2 id="my-record-card">My record</h2>
      <p>See who has looked at your record, download it, or ask for a correction.</p>
      <p>
        <Link href="/portal/record" class="button button--secondary">
          My record
        </Link>
      </p>
    </section>
  );
}

interface AccessPage {
  items: AccessLine[];
  next_cursor: string | null;
}

function WhoHasSeen() {
  const [before, setBefore] = useState<string | null>(null);
  const [earlier, setEarlier] = useState<AccessLine[]>([]);
  const page = useGet<AccessPage>(`${myAccessLogPath}${query({ before: before ?? undefined })}`);
  const lines = [...earlier, ...(page.data?.items ?? [])];
  const more = () => {
    if (!page.data?.next_cursor) return;
    setEarlier(lines);
    setBefore(page.data.next_cursor);
  };
  return (
    <section class="card" aria-labelledby="who-has-seen">
      <h2 id="who-has-seen">Who has seen my record</h2>
      <p class="muted">Everyone who looked at or changed your record, newest first. Your own visits are not listed.</p>
      {page.loading && !page.data ? <Loading what="Finding who has seen your record" /> : null}
      {page.error ? <ErrorMessage message={problemToFormErrors(page.error.problem).summary} /> : null}
      {page.data && lines.length === 0 ? <p>Nobody else has looked at your record yet.</p> : null}
      {lines.length ? (
        <ul class="plain-list access-lines">
          {lines.map((l, i) => (
            <li key={`${l.first_at}-${i}`} class={l.emergency ? 'access-line access-line--emergency' : 'access-line'}>
              {l.text}
            </li>
          ))}
        </ul>
      ) : null}
      {page.data?.next_cursor ? (
        <button type="button" class="button button--secondary" onClick={more}>
          Show earlier
        </button>
      ) : null}
    </section>
  );
}

function Download() {
  return (
    <section class="card" aria-labelledby="download-record">
      <h2 id="download-record">Download my record</h2>
      <p>Everything we hold about you: your details, answers to questionnaires, diagnoses, medicines, appointments, plans, safety plan, signed session notes and reading.</p>
      <ul class="plain-list">
        <li>
          <a class="button" href="/api/v1/me/record.html" download="my-record.html">
            Readable page
          </a>
          <p class="muted">A page to read, keep or print.</p>
        </li>
        <li>
          <a class="button button--secondary" href="/api/v1/me/record" download="my-record.json">
            FHIR file (JSON)
          </a>
          <p class="muted">For another health service or app: the standard format health records are exchanged in.</p>
        </li>
      </ul>
    </section>
  );
}

function AskForCorrection() {
  const list = useGet<Items<Amendment>>(myAmendmentsPath);
  const [what, setWhat] = useState('');
  const [change, setChange] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setSent(false);
    try {
      await api.post<Amendment>(myAmendmentsPath, { what, change });
      setWhat('');
      setChange('');
      setErrors(noErrors);
      setSent(true);
      list.reload();
    } catch (err) {
      const fe = err instanceof ApiError ? problemToFormErrors(err.problem) : { summary: 'Something went wrong. Please try again.', fields: {} };
      setErrors(fe);
    } finally {
      setBusy(false);
    }
  };
  const items = list.data?.items ?? [];
  return (
    <section class="card" aria-labelledby="ask-correction">
      <h2 id="ask-correction">Ask for a correction</h2>
      <p>If something in your record is wrong, tell us. Your care team will answer: they change it, or explain why not. Your request and the answer stay in your record.</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <FormError message={errors.summary} />
        <TextField name="what" label="Which part of your record?" hint="For example: my phone number, my diagnosis, the note from 3 November" value={what} onInput={setWhat} error={errors.fields.what} required />
        <TextArea name="change" label="What should it say instead?" value={change} onInput={setChange} error={errors.fields.change} required rows={4} />
        <button type="submit" class="button" disabled={busy}>
          Send my request
        </button>
        {sent ? <p role="status">Sent. Your care team will answer here.</p> : null}
      </form>
      {list.error ? <ErrorMessage message={problemToFormErrors(list.error.problem).summary} /> : null}
      {items.length ? (
        <>
          <h3>Your requests</h3>
          <ul class="plain-list amendments">
            {items.map((a) => (
              <li key={a.id} class="amendment">
                <strong>{a.what}</strong> <span class="muted">· asked {formatDateTime(a.created_at)}</span>
                <p>{a.change}</p>
                <p class={`amendment-answer amendment-answer--${a.status}`}>{amendmentAnswer(a)}</p>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

export function PortalRecordPage() {
  return (
    <>
      <PageHeading title="My record" />
      <p>
        <Link href="/portal">Back to home</Link>
      </p>
      <div class="cards">
        <WhoHasSeen />
        <Download />
        <AskForCorrection />
      </div>
    </>
  );
}
