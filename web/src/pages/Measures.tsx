// The chart's Measures tab: the outcome so far (first → latest of each measure, and the NHS
// Talking Therapies outcome when there are PHQ-9 and GAD-7 pairs), give a questionnaire now or
// by link, each instrument's results over time (chart, table, answers on demand), and the
// schedules that say when the next is due. Reloads when the server says a new result for this
// client was scored.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, query } from '../api';
import { AnswerTable, CriticalFlags, ResultSummary, totalWords } from '../components/AssessmentResult';
import { CopyButton } from '../components/CopyButton';
import { FormError, SelectField, TextField } from '../components/Field';
import { Link } from '../components/Link';
import { MeasureChart } from '../components/MeasureChart';
import { ErrorMessage, Loading } from '../components/Page';
import { onEvent } from '../events';
import { dueWords, formatDate, formatDateTime, formatDay, todayISO } from '../format';
import { changeWords, markerOf, markerPath, markerText, measureOutcomeText, shortChange, talkingTherapiesWords } from '../measureChart';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { Assessment, AssessmentLink, Instrument, InstrumentSummary, Items, Measure, Outcomes, Rater, Schedule } from '../types';
import { useGet } from '../useApi';
import { focusFirstError } from './forms';
import { medicationEvents, type TimeEvent } from '../diagnoses';
import type { Medication } from '../types';
import { CheckInsOnMeasures, measureTimes, useClientCheckIns } from './ChartCheckIns';
import { sharedAxis } from '../checkIns';

const enc = encodeURIComponent;

/** Where staff give an instrument to a client now. */
export function administerPath(clientId: string, instrument: string): string {
  return `/clients/${enc(clientId)}/assess/${enc(instrument)}`;
}

/** An instrument in a picker; one whose wording the service adds says so. */
export function instrumentLabel(i: Pick<InstrumentSummary, 'name' | 'title' | 'item_text'>, withTitle: boolean): string {
  const name = withTitle && i.title ? `${i.name} — ${i.title}` : i.name;
  return i.item_text === 'service' ? `${name} (wording added by your service)` : name;
}

/** Who answers a link: the client when the instrument is self-report, else its first respondent. */
export function linkRater(respondents: readonly string[]): Rater {
  return (respondents.includes('self') ? 'self' : (respondents[0] ?? 'self')) as Rater;
}

export function MeasuresTab({ clientId }: { clientId: string }) {
  const base = `/api/v1/clients/${enc(clientId)}`;
  const measures = useGet<Items<Measure>>(`${base}/measures`);
  const outcomes = useGet<Outcomes>(`${base}/outcomes`);
  const instruments = useGet<Items<InstrumentSummary>>('/api/v1/instruments');
  // Medication changes are marked on each chart's time axis (none when the list cannot be read).
  const medications = useGet<Items<Medication>>(`${base}/medications`);
  const events = medicationEvents(medications.data?.items ?? []);
  const [tick, setTick] = useState(0);

  useEffect(
    () =>
      onEvent('assessment.scored', (d) => {
        if (d.client_id !== clientId) return;
        measures.reload();
        outcomes.reload();
        setTick((t) => t + 1);
      }),
    [clientId],
  );

  const list = measures.data?.items ?? [];
  // The client's daily check-ins on the same time axis as the measure graphs.
  const times = measureTimes(list);
  const checkIns = useClientCheckIns(clientId, measures.loading && !measures.data ? null : times);
  const domain = sharedAxis(times, checkIns.data?.items ?? []);
  return (
    <>
      <OutcomeSoFar outcomes={outcomes.data} error={outcomes.error && outcomes.error.status !== 404 ? problemToFormErrors(outcomes.error.problem).summary : ''} />
      <GiveQuestionnaire clientId={clientId} base={base} instruments={instruments.data?.items ?? null} preferred={list[0]?.instrument} />
      {measures.loading && !measures.data ? <Loading what="Loading results" /> : null}
      {measures.error ? <ErrorMessage message={problemToFormErrors(measures.error.problem).summary} /> : null}
      {measures.data && list.length === 0 ? <p class="empty">No questionnaire results yet. Give one above, or add a schedule below.</p> : null}
      <CheckInsOnMeasures clientId={clientId} checkIns={checkIns} domain={domain} />
      {list.map((m) => (
        <MeasureCard key={m.instrument} clientId={clientId} base={base} measure={m} tick={tick} events={events} domain={domain} />
      ))}
      <Schedules base={base} instruments={instruments.data?.items ?? null} />
    </>
  );
}

/**
 * First → latest of each measure with its change in words and, with two or more PHQ-9 and
 * GAD-7 results, the NHS Talking Therapies outcome. Nothing until some measure has a second
 * result (and nothing from a server without outcomes).
 */
export function OutcomeSoFar({ outcomes, error }: { outcomes: Outcomes | null; error: string }) {
  if (error) return <ErrorMessage message={error} />;
  // one result is not an outcome yet: the measure's card says what it is
  if (!outcomes || !outcomes.measures.some((m) => m.count > 1)) return null;
  const tt = outcomes.talking_therapies;
  const ttWords = talkingTherapiesWords(tt);
  return (
    <section class="outcome" aria-labelledby="outcome-heading">
      <h3 id="outcome-heading">Outcome so far</h3>
      {ttWords ? <p class={`outcome-tt${tt?.reliable_deterioration ? ' outcome-tt--worse' : ''}`}>{ttWords}</p> : null}
      <ul class="outcome-list">
        {outcomes.measures.map((m) => {
          const t = measureOutcomeText(m);
          return (
            <li key={m.instrument} data-instrument={m.instrument}>
              <strong>{m.name}</strong>
              {t.scores ? `: ${t.scores}` : ''} <span class="muted">({t.when})</span>
              {t.change ? `. ${t.change}.` : '.'}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function GiveQuestionnaire({ clientId, base, instruments, preferred }: { clientId: string; base: string; instruments: InstrumentSummary[] | null; preferred?: string }) {
  const [chosen, setChosen] = useState('');
  const [link, setLink] = useState<AssessmentLink | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const options = (instruments ?? []).map((i) => ({ value: i.id, label: instrumentLabel(i, true) }));
  const value = chosen || (options.some((o) => o.value === preferred) ? preferred! : (options.find((o) => o.value === 'phq-9')?.value ?? options[0]?.value ?? ''));
  const instrument = instruments?.find((i) => i.id === value);

  const sendLink = async () => {
    if (!instrument) return;
    setBusy(true);
    setError('');
    setLink(null);
    try {
      setLink(await api.post<AssessmentLink>(`${base}/assessment-links`, { instrument: instrument.id, rater: linkRater(instrument.respondents) }));
    } catch (e) {
      setError(e instanceof ApiError ? problemToFormErrors(e.problem).summary : 'The link could not be made.');
    } finally {
      setBusy(false);
    }
  };

  const full = link ? new URL(link.url, window.location.origin).href : '';
  return (
    <section class="give" aria-labelledby="give-heading">
      <h3 id="give-heading">Give a questionnaire</h3>
      {instruments === null ? <Loading what="Loading questionnaires" /> : null}
      {instruments && instruments.length === 0 ? <p>No questionnaires are set up on this service.</p> : null}
      {instruments && instruments.length > 0 ? (
        <div class="give-row">
          <SelectField
            name="instrument"
            idPrefix="give"
            label="Questionnaire"
            required
            value={value}
            onChange={(v) => {
              setChosen(v);
              setLink(null);
            }}
            options={options}
          />
          <div class="give-actions">
            <Link href={administerPath(clientId, value)} class="button">
              Administer now
            </Link>
            <button type="button" class="button button--secondary" disabled={busy} onClick={() => void sendLink()}>
              Send a link
            </button>
          </div>
        </div>
      ) : null}
      {error ? <ErrorMessage message={error} /> : null}
      <div role="status">
        {link ? (
          <div class="notice link-made">
            <p>
              Link to the {instrument?.name ?? link.instrument} for the client, usable once until {formatDateTime(link.expires_at)}:
            </p>
            <p>
              <span class="token-value mono" id="assessment-link">
                {full}
              </span>{' '}
              <CopyButton text={full} what="Link" label="Copy link" />
            </p>
            <p class="muted">Anyone who has this link can answer without signing in, so send it only to the client (for example by text message).</p>
          </div>
        ) : null}
      </div>
    </section>
  );
}

function MeasureCard({ clientId, base, measure: m, tick, events, domain }: { clientId: string; base: string; measure: Measure; tick: number; events?: TimeEvent[]; domain?: [number, number] }) {
  // The measures answer carries every result; ask for them separately only when it does not.
  const results = useGet<Items<Assessment>>(m.results ? null : `${base}/assessments${query({ instrument: m.instrument })}`);
  const instrument = useGet<Instrument>(`/api/v1/instruments/${enc(m.instrument)}`);
  const [selected, setSelected] = useState<string | null>(null);
  const detailHeading = useRef<HTMLHeadingElement>(null);
  const focusDetail = useRef(false);

  useEffect(() => {
    if (tick && !m.results) results.reload();
  }, [tick]);
  useEffect(() => {
    if (!focusDetail.current || !selected) return;
    focusDetail.current = false;
    detailHeading.current?.focus();
    detailHeading.current?.scrollIntoView?.({ block: 'nearest' });
  }, [selected]);

  const latest = m.latest;
  // newest first, as the table lists them
  const all = m.results ? [...m.results].reverse() : (results.data?.items ?? []);
  const chosen = all.find((a) => a.id === selected) ?? null;
  const slug = m.instrument.replace(/[^a-zA-Z0-9_-]/g, '-');
  const sinceFirst = m.count > 1 ? changeWords(latest.change?.first, 'first') : '';
  const sincePrevious = m.count > 2 ? changeWords(latest.change?.previous, 'previous') : '';
  const total = totalWords(latest);

  return (
    <section class="measure" aria-labelledby={`m-${slug}-heading`}>
      <div class="measure-head">
        <h3 id={`m-${slug}-heading`}>{m.name}</h3>
        <span class="muted">
          {m.count} result{m.count === 1 ? '' : 's'}
        </span>
      </div>
      <p class="measure-latest">
        <strong>
          Latest: {total ? `${total}, ` : ''}
          {latest.band?.label ?? 'no band'}
        </strong>{' '}
        <span class="muted">({formatDay(latest.completed_at)})</span>
      </p>
      {sinceFirst || sincePrevious ? (
        <p class="measure-change">
          {sinceFirst}
          {sinceFirst && sincePrevious ? '. ' : ''}
          {sincePrevious}.
        </p>
      ) : null}
      <CriticalFlags assessment={latest} instrument={instrument.data} />
      {results.error ? <ErrorMessage message={problemToFormErrors(results.error.problem).summary} /> : null}
      {results.loading && !results.data ? <Loading what={`Loading ${m.name} results`} /> : null}
      {m.total && all.length ? (
        <MeasureChart
          id={`chart-${slug}`}
          name={m.name}
          results={all}
          total={m.total}
          bands={m.bands}
          higherIsWorse={m.higher_is_worse}
          events={events}
          domain={domain}
          selectedId={selected}
          onSelect={(id) => {
            focusDetail.current = true;
            setSelected(id);
          }}
        />
      ) : null}
      {all.length ? <ResultsTable name={m.name} results={all} selected={selected} onToggle={(id) => setSelected(selected === id ? null : id)} detailId={`m-${slug}-detail`} /> : null}
      {chosen ? (
        <section class="result-detail" id={`m-${slug}-detail`} aria-labelledby={`m-${slug}-detail-heading`}>
          <h4 id={`m-${slug}-detail-heading`} tabIndex={-1} ref={detailHeading}>
            {m.name} on {formatDateTime(chosen.completed_at)}
          </h4>
          <ResultSummary assessment={chosen} instrument={instrument.data} />
          {instrument.data ? <AnswerTable assessment={chosen} instrument={instrument.data} caption={`Answers to the ${m.name} on ${formatDay(chosen.completed_at)}`} /> : <Loading what="Loading the questions" />}
          <div class="actions">
            <button type="button" class="button button--secondary button--small" onClick={() => setSelected(null)}>
              Close the answers
            </button>
          </div>
        </section>
      ) : null}
      <p class="measure-actions">
        <Link href={administerPath(clientId, m.instrument)} class="button button--secondary button--small">
          Administer the {m.name} again
        </Link>
      </p>
    </section>
  );
}

function ResultsTable({ name, results, selected, onToggle, detailId }: { name: string; results: Assessment[]; selected: string | null; onToggle: (id: string) => void; detailId: string }) {
  return (
    <div class="table-wrap" role="region" aria-label={`${name} results (table)`} tabIndex={0}>
      <table class="table results">
        <caption class="visually-hidden">{name} results, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Result</th>
            <th scope="col">Change since previous</th>
            <th scope="col">
              <span class="visually-hidden">Answers</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {results.map((a) => {
            const marker = markerOf(a);
            const open = a.id === selected;
            const critical = a.flags.some((f) => f.severity === 'critical');
            return (
              <tr key={a.id} class={open ? 'selected' : undefined}>
                <td>{formatDay(a.completed_at)}</td>
                <td>
                  {[totalWords(a), a.band?.label].filter(Boolean).join(', ') || '—'}
                  {critical ? <span class="tag tag--critical">Flag</span> : null}
                </td>
                <td>
                  {marker !== 'result' ? (
                    <svg width="14" height="14" viewBox="0 0 14 14" class={`inline-glyph point--${marker}`} aria-hidden="true">
                      <path d={markerPath(marker, 7, 7, 6)} class="marker" />
                    </svg>
                  ) : null}
                  {shortChange(a.change?.previous) || <span class="muted">First result</span>}
                  {marker !== 'result' ? <span class="visually-hidden"> ({markerText[marker].long.toLowerCase()})</span> : null}
                </td>
                <td>
                  <button
                    type="button"
                    class="button button--secondary button--small"
                    aria-expanded={open}
                    aria-controls={open ? detailId : undefined}
                    aria-label={`${open ? 'Hide' : 'Show'} answers of ${formatDay(a.completed_at)}`}
                    onClick={() => onToggle(a.id)}
                  >
                    {open ? 'Hide answers' : 'Show answers'}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Schedules({ base, instruments }: { base: string; instruments: InstrumentSummary[] | null }) {
  const schedules = useGet<Items<Schedule>>(`${base}/schedules`);
  const [instrument, setInstrument] = useState('');
  const [every, setEvery] = useState('14');
  const [start, setStart] = useState(todayISO());
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  const [stopError, setStopError] = useState('');
  useEffect(() => focusFirstError(errors), [errors]);

  const options = (instruments ?? []).map((i) => ({ value: i.id, label: instrumentLabel(i, false) }));
  const chosen = instrument || (options.find((o) => o.value === 'phq-9')?.value ?? options[0]?.value ?? '');
  const active = (schedules.data?.items ?? []).filter((s) => s.active);
  const stopped = (schedules.data?.items ?? []).length - active.length;

  const add = async (e: Event) => {
    e.preventDefault();
    setNote('');
    const days = Number(every.trim());
    if (!/^\d+$/.test(every.trim()) || days < 1) {
      setErrors({ summary: 'Please correct the marked field.', fields: { every_days: 'Enter a whole number of days, 1 or more.' } });
      return;
    }
    setBusy(true);
    try {
      const made = await api.post<Schedule>(`${base}/schedules`, { instrument: chosen, every_days: days, ...(start ? { start_date: start } : {}) });
      setErrors(noErrors);
      setNote(`${made.instrument_name} every ${made.every_days} days added.`);
      schedules.reload();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['instrument', 'every_days', 'start_date']) : noErrors);
    } finally {
      setBusy(false);
    }
  };

  const stop = async (s: Schedule) => {
    setStopError('');
    setNote('');
    try {
      await api.delete(`${base}/schedules/${enc(s.id)}`);
      setNote(`${s.instrument_name} every ${s.every_days} days stopped.`);
      schedules.reload();
    } catch (err) {
      setStopError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'The schedule could not be stopped.');
    }
  };

  return (
    <section class="schedules" aria-labelledby="schedules-heading">
      <h3 id="schedules-heading">Schedules</h3>
      {schedules.loading && !schedules.data ? <Loading what="Loading schedules" /> : null}
      {schedules.error ? <ErrorMessage message={problemToFormErrors(schedules.error.problem).summary} /> : null}
      {stopError ? <ErrorMessage message={stopError} /> : null}
      <p role="status" class={note ? 'notice' : 'visually-hidden'}>
        {note}
      </p>
      {schedules.data && active.length === 0 ? <p>No questionnaires are scheduled for this client.</p> : null}
      {active.length ? (
        <ul class="schedule-list">
          {active.map((s) => (
            <li key={s.id}>
              <span class="schedule-what">
                <strong>{s.instrument_name}</strong> every {s.every_days} day{s.every_days === 1 ? '' : 's'}, from {formatDate(s.start_date)}
                {s.end_date ? ` until ${formatDate(s.end_date)}` : ''}
              </span>
              <span class={s.next_due?.overdue ? 'due due--overdue' : 'due'}>
                {s.next_due ? (
                  <>
                    {dueWords(s.next_due)}
                    {s.next_due.overdue ? <span class="muted"> (was due {formatDate(s.next_due.due_date)})</span> : null}
                  </>
                ) : (
                  <span class="muted">Nothing more due</span>
                )}
              </span>
              <button type="button" class="button button--secondary button--small" aria-label={`Stop ${s.instrument_name} every ${s.every_days} days`} onClick={() => void stop(s)}>
                Stop
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {stopped > 0 ? (
        <p class="muted">
          {stopped} stopped schedule{stopped === 1 ? '' : 's'} not shown.
        </p>
      ) : null}
      {options.length ? (
        <form class="form form--inline schedule-form" onSubmit={add} noValidate aria-labelledby="schedule-add-heading">
          <h4 id="schedule-add-heading">Add a schedule</h4>
          <FormError message={errors.summary} />
          <div class="schedule-fields">
            <SelectField name="instrument" idPrefix="sched" label="Questionnaire" required value={chosen} onChange={setInstrument} error={errors.fields.instrument} options={options} />
            <TextField name="every_days" idPrefix="sched" label="Every (days)" required inputMode="numeric" value={every} onInput={setEvery} error={errors.fields.every_days} />
            <TextField name="start_date" idPrefix="sched" label="Starting on" type="date" required value={start} onInput={setStart} error={errors.fields.start_date} />
          </div>
          <div class="actions">
            <button type="submit" class="button" disabled={busy}>
              Add schedule
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
