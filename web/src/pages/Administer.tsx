// Staff give an instrument now: /clients/:id/assess/:instrument. On a wide screen every item is
// on one page; on a phone one item per screen. The answers are sent once with an
// Idempotency-Key made when the page opened, so "Try again" after a lost connection cannot
// record the result twice. Then the result: total, band, flags and change.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { AnswerTable, ResultSummary } from '../components/AssessmentResult';
import { SelectField, TextField } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { noQuestionnaireErrors, Questionnaire, type QuestionnaireErrors } from '../components/Questionnaire';
import { fullName, todayISO } from '../format';
import { problemToFormErrors } from '../problem';
import { problemToAnswerErrors, wordingMissing } from '../questionnaire';
import type { Answer, Assessment, Client, Instrument, Rater, Respondent } from '../types';
import { useGet, useIdempotentPost, useNarrow } from '../useApi';

const raterLabels: Record<Respondent, string> = {
  self: 'The client (self-report)',
  clinician: 'Clinician (rated by staff)',
  parent: 'A parent or carer',
  teacher: 'A teacher',
};

/** The rater chosen at first: self-report when the instrument allows it, else its first respondent. */
export function defaultRater(respondents: readonly Respondent[]): Rater {
  return respondents.includes('self') ? 'self' : (respondents[0] ?? 'self');
}

/** 'YYYY-MM-DD' (a past day the form was filled in on paper) → an instant at local noon. */
export function completedAt(day: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12).toISOString();
}

export function AdministerPage({ clientId, instrumentId }: { clientId: string; instrumentId: string }) {
  const base = `/api/v1/clients/${encodeURIComponent(clientId)}`;
  const client = useGet<Client>(base);
  const instrument = useGet<Instrument>(`/api/v1/instruments/${encodeURIComponent(instrumentId)}`);
  const narrow = useNarrow();

  if ((client.loading && !client.data) || (instrument.loading && !instrument.data)) return <Loading what="Opening the questionnaire" />;
  const failed = client.error ?? instrument.error;
  if (failed || !client.data || !instrument.data) {
    return (
      <>
        <PageHeading title="Questionnaire" />
        <ErrorMessage message={failed ? problemToFormErrors(failed.problem).summary : 'The questionnaire could not be opened.'} />
        <p>
          <Link href={`/clients/${encodeURIComponent(clientId)}?tab=measures`}>Back to the client’s measures</Link>
        </p>
      </>
    );
  }
  return <Administer base={base} client={client.data} instrument={instrument.data} layout={narrow ? 'one' : 'all'} />;
}

function Administer({ base, client, instrument, layout }: { base: string; client: Client; instrument: Instrument; layout: 'one' | 'all' }) {
  const post = useIdempotentPost();
  const [rater, setRater] = useState<Rater>(defaultRater(instrument.respondents));
  const [day, setDay] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<QuestionnaireErrors>(noQuestionnaireErrors);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<Assessment | null>(null);
  const resultHeading = useRef<HTMLHeadingElement>(null);
  const name = fullName(client);
  const measuresHref = `/clients/${encodeURIComponent(client.id)}?tab=measures`;

  useEffect(() => {
    if (result) resultHeading.current?.focus();
  }, [result]);

  const submit = async (answers: Answer[]) => {
    setBusy(true);
    try {
      const when = day && day !== todayISO() ? completedAt(day) : undefined;
      const saved = await post<Assessment>(`${base}/assessments`, { instrument: instrument.id, answers, rater, ...(when ? { completed_at: when } : {}) });
      setResult(saved);
      window.scrollTo?.(0, 0);
    } catch (e) {
      const problem = e instanceof ApiError ? e.problem : { status: 0 };
      const sorted = problemToAnswerErrors(problem, instrument.items, ['rater', 'completed_at']);
      setFieldErrors(sorted.fields);
      setErrors({ summary: sorted.summary, items: sorted.items });
    } finally {
      setBusy(false);
    }
  };

  if (result) {
    return (
      <>
        <PageHeading title={`${instrument.name} result for ${name}`} />
        <section class="tab-panel" aria-labelledby="result-heading">
          <h2 id="result-heading" tabIndex={-1} ref={resultHeading}>
            Result recorded
          </h2>
          <ResultSummary assessment={result} instrument={instrument} />
          <details class="review">
            <summary>The answers</summary>
            <AnswerTable assessment={result} instrument={instrument} caption={`Answers to the ${instrument.name}`} />
          </details>
          <div class="actions">
            <Link href={measuresHref} class="button">
              See all measures
            </Link>
            <Link href={`/clients/${encodeURIComponent(client.id)}`} class="button button--secondary">
              Back to the chart
            </Link>
          </div>
        </section>
      </>
    );
  }

  const respondents = instrument.respondents.length ? instrument.respondents : (['self'] as Respondent[]);
  const extra = (
    <fieldset class="administer-details">
      <legend class="visually-hidden">About this questionnaire</legend>
      <SelectField
        name="rater"
        idPrefix="adm"
        label="Who answered?"
        required
        value={rater}
        onChange={(v) => setRater(v as Rater)}
        error={fieldErrors.rater}
        options={respondents.map((r) => ({ value: r, label: raterLabels[r] ?? r }))}
      />
      <TextField
        name="completed_at"
        idPrefix="adm"
        type="date"
        label="Filled in on"
        hint="Only for a paper form filled in on an earlier day; leave empty for today."
        max={todayISO()}
        value={day}
        onInput={setDay}
        error={fieldErrors.completed_at}
      />
    </fieldset>
  );

  return (
    <>
      <PageHeading title={`${instrument.name} for ${name}`} />
      <p class="lead">{instrument.title}</p>
      {wordingMissing(instrument) ? (
        <p class="notice wording-note">
          Tend cannot include the wording of the {instrument.name} (its licence does not allow it), and your service has not added it yet, so each question shows only its
          number. Read the questions from your licensed paper form and record the answers here.
        </p>
      ) : null}
      <div class="administer">
        <Questionnaire instrument={instrument} layout={layout} extra={extra} submitLabel="Save and score" busy={busy} errors={errors} onSubmit={(a) => void submit(a)} idPrefix="adm-q" />
      </div>
      {instrument.copyright ? <p class="copyright muted">{instrument.copyright}</p> : null}
      <p>
        <Link href={measuresHref}>Cancel and go back to the measures</Link>
      </p>
    </>
  );
}
