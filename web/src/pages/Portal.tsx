import { useState } from 'preact/hooks';
import { ApiError, query } from '../api';
import { ClientThanks } from '../components/ClientThanks';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { ClientIntro, noQuestionnaireErrors, Questionnaire, type QuestionnaireErrors } from '../components/Questionnaire';
import { formatDateTime, formatDay, humanize, todayISO } from '../format';
import { formatScore } from '../measureChart';
import { problemToFormErrors } from '../problem';
import { problemToAnswerErrors } from '../questionnaire';
import { raisesCriticalFlag } from '../risk';
import type { AccessEntry, Answer, Assessment, CareTeamMember, Instrument, Items, Page, Schedule, User } from '../types';
import { useGet, useIdempotentPost } from '../useApi';
import { PortalAppointments } from './PortalAppointments';
import { CheckInCard } from './PortalCheckIn';
import { RiskScreen, type SubmissionState } from './PortalCrisis';
import { ReadingCard } from './PortalEducation';
import { MessagesCard } from './PortalMessages';
import { PlanCards } from './PortalPlan';
import { RecordCard } from './PortalRecord';

const roleWords: Record<string, string> = {
  clinician: 'A clinician',
  prescriber: 'A prescriber',
  care_manager: 'A care manager',
  peer_support: 'A peer support worker',
  front_desk: 'Front desk staff',
  analyst: 'An analyst',
  admin: 'An administrator',
  client: 'You',
};

/** What happened, in words for the client rather than for staff. */
export function plainAction(e: Pick<AccessEntry, 'action' | 'resource_kind' | 'outcome'>): string {
  if (e.outcome !== 'ok') return 'Tried to open your record but was not allowed';
  switch (e.action) {
    case 'list':
      return 'Saw your name in a list';
    case 'read':
      return e.resource_kind === 'access_log' ? 'Looked at who has seen your record' : 'Looked at your record';
    case 'create':
      return e.resource_kind === 'user' ? 'Set up your account' : 'Created your record';
    case 'update':
      return 'Changed your details';
    case 'add_member':
      return 'Added someone to your care team';
    case 'remove_member':
      return 'Took someone off your care team';
    case 'archive':
      return 'Closed your record';
    case 'restore':
      return 'Reopened your record';
    case 'break_glass':
      return 'Opened your record in an emergency';
    default:
      return humanize(e.action);
  }
}

export interface AccessGroup {
  key: number;
  who: string;
  what: string;
  /** The newest time in the group. */
  at: string;
  count: number;
  reason: string;
}

/**
 * Joins neighbouring entries (newest first) where the same person did the same thing in the
 * same minute — one page view reads several parts of a record — so the list stays readable.
 * Break-the-glass openings always stand alone, with their reason.
 */
export function groupAccess(entries: AccessEntry[], whoOf: (e: AccessEntry) => string): AccessGroup[] {
  const groups: AccessGroup[] = [];
  for (const e of entries) {
    const who = whoOf(e);
    const what = plainAction(e);
    const last = groups[groups.length - 1];
    if (last && e.action !== 'break_glass' && !last.reason && last.who === who && last.what === what && last.at.slice(0, 16) === e.at.slice(0, 16)) {
      last.count += 1;
      continue;
    }
    groups.push({ key: e.seq, who, what, at: e.at, count: 1, reason: e.action === 'break_glass' ? e.reason : '' });
  }
  return groups;
}

/** Who did it, for the client: "You", the person's name, or (for system actions) their role in words. */
export function whoSaw(e: AccessEntry, me: string, names: Map<string, string>): string {
  if (e.actor_id === me) return 'You';
  return e.actor_name || names.get(e.actor_id) || roleWords[e.actor_role] || humanize(e.actor_role);
}

const firstShown = 8;

export function PortalHome({ user }: { user: User }) {
  const clientPath = user.client_id ? `/api/v1/clients/${encodeURIComponent(user.client_id)}` : null;
  const log = useGet<Page<AccessEntry>>(clientPath ? `${clientPath}/access-log${query({ limit: 50 })}` : null);
  const team = useGet<Page<CareTeamMember>>(clientPath ? `${clientPath}/care-team` : null);
  const names = new Map<string, string>(team.data?.items.map((m) => [m.user_id, m.display_name]));
  const [showAll, setShowAll] = useState(false);
  const groups = groupAccess(log.data?.items ?? [], (e) => whoSaw(e, user.id, names));
  const shown = showAll ? groups : groups.slice(0, firstShown);

  return (
    <>
      <PageHeading title="Home">Hello, {user.display_name}</PageHeading>
      <p class="lead">This is your space in Tend. More will appear here as your care team starts using it.</p>

      <div class="cards">
        <section class="card card--urgent" aria-labelledby="help-now">
          <h2 id="help-now">Need help right now?</h2>
          <p>If you might hurt yourself or someone else, call your local emergency number now, or go to the nearest emergency department.</p>
          <p>
            <Link href="/portal/help" class="button button--secondary">
              Crisis lines and my safety plan
            </Link>
          </p>
        </section>

        <CheckInCard owner={user.id} />

        {clientPath ? <QuestionnairesToDo clientPath={clientPath} /> : null}

        <PlanCards />

        <ReadingCard />
        <RecordCard />

        <MessagesCard />

        <section class="card" aria-labelledby="care-team">
          <h2 id="care-team">Your care team</h2>
          {team.loading && !team.data ? <Loading /> : null}
          {team.data && team.data.items.length === 0 ? <p>No one has been added to your care team yet.</p> : null}
          {team.data && team.data.items.length > 0 ? (
            <ul class="plain-list">
              {team.data.items.map((m) => (
                <li key={m.user_id}>
                  <strong>{m.display_name}</strong> — {humanize(m.role).toLowerCase()}
                </li>
              ))}
            </ul>
          ) : null}
        </section>

        <PortalAppointments />


        <section class="card" aria-labelledby="safety-plan">
          <h2 id="safety-plan">My safety plan</h2>
          <p>The plan you make with your care team, always at hand — also without signal once you have opened it on this phone.</p>
          <p>
            <Link href="/portal/safety-plan" class="button">
              Open my safety plan
            </Link>
          </p>
        </section>

        <section class="card" aria-labelledby="messages">
          <h2 id="messages">Messages</h2>
          <p>Coming soon: write to your care team securely.</p>
        </section>

        {clientPath ? <MyResults clientPath={clientPath} /> : null}

        <section class="card card--wide" aria-labelledby="who-has-seen">
          <h2 id="who-has-seen">Who has seen my record</h2>
          <p>Every time someone opens or changes your record, Tend writes it down. Here are the latest.</p>
          {!clientPath ? <p>Your account is not linked to a record yet.</p> : null}
          {log.loading && !log.data ? <Loading /> : null}
          {log.error ? <ErrorMessage message={problemToFormErrors(log.error.problem).summary} /> : null}
          {log.data ? (
            groups.length === 0 ? (
              <p>No one has opened your record yet.</p>
            ) : (
              <>
                <ol class="access-list" id="access-list">
                  {shown.map((g) => (
                    <li key={g.key}>
                      <span class="who">{g.who}</span>
                      <span class="what">
                        {g.what}
                        {g.count > 1 ? ` (${g.count} times)` : ''}
                      </span>
                      <span class="when">{formatDateTime(g.at)}</span>
                      {g.reason ? <span class="why">Reason given: {g.reason}</span> : null}
                    </li>
                  ))}
                </ol>
                {groups.length > firstShown ? (
                  <button type="button" class="button button--secondary" aria-expanded={showAll} aria-controls="access-list" onClick={() => setShowAll(!showAll)}>
                    {showAll ? 'Show fewer' : `Show all ${groups.length}`}
                  </button>
                ) : null}
              </>
            )
          ) : null}
        </section>
      </div>
    </>
  );
}

/** Schedules with something due today or earlier, oldest due first. */
export function dueSchedules(schedules: readonly Schedule[], today: string = todayISO()): Schedule[] {
  return schedules
    .filter((s) => s.active && s.self_answerable !== false && s.next_due && s.next_due.due_date <= today)
    .sort((a, b) => a.next_due!.due_date.localeCompare(b.next_due!.due_date));
}

function QuestionnairesToDo({ clientPath }: { clientPath: string }) {
  const schedules = useGet<Items<Schedule>>(`${clientPath}/schedules`);
  const due = dueSchedules(schedules.data?.items ?? []);
  // one entry per questionnaire, even when two schedules of it are due
  const seen = new Set<string>();
  const todo = due.filter((s) => !seen.has(s.instrument) && seen.add(s.instrument));
  return (
    <section class="card card--wide" aria-labelledby="todo-heading">
      <h2 id="todo-heading">Questionnaires to do</h2>
      {schedules.loading && !schedules.data ? <Loading /> : null}
      {schedules.error ? <p>Your questionnaires could not be loaded just now. Please try again later.</p> : null}
      {schedules.data && todo.length === 0 ? <p>Nothing to fill in right now. Thank you.</p> : null}
      {todo.length ? (
        <ul class="todo-list">
          {todo.map((s) => (
            <li key={s.id}>
              <span class="todo-name">{s.instrument_name}</span>
              <Link href={`/portal/questionnaires/${encodeURIComponent(s.instrument)}`} class="button" aria-label={`Start the ${s.instrument_name}`}>
                Start
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** The client's own totals, newest first, one list per questionnaire. */
export function groupByInstrument(results: readonly Assessment[]): { instrument: string; name: string; results: Assessment[] }[] {
  const groups = new Map<string, { instrument: string; name: string; results: Assessment[] }>();
  for (const a of results) {
    let g = groups.get(a.instrument);
    if (!g) groups.set(a.instrument, (g = { instrument: a.instrument, name: a.instrument_name, results: [] }));
    g.results.push(a);
  }
  return [...groups.values()];
}

function MyResults({ clientPath }: { clientPath: string }) {
  const results = useGet<Items<Assessment>>(`${clientPath}/assessments`);
  if (results.error || !results.data || results.data.items.length === 0) return null;
  return (
    <section class="card card--wide" aria-labelledby="my-results">
      <h2 id="my-results">My questionnaires so far</h2>
      {groupByInstrument(results.data.items).map((g) => (
        <div key={g.instrument} class="my-results">
          <h3>{g.name}</h3>
          <ol class="plain-list">
            {g.results.slice(0, 10).map((a) => (
              <li key={a.id}>
                {formatDay(a.completed_at)}: {a.total === null ? (a.band?.label ?? 'sent') : `${formatScore(a.total)}${a.total_max !== null ? ` out of ${formatScore(a.total_max)}` : ''}`}
              </li>
            ))}
          </ol>
        </div>
      ))}
      <p class="muted">Your clinician can talk through what these mean with you.</p>
    </section>
  );
}

/** /portal/questionnaires/:instrument — the client fills in a questionnaire, one question at a time. */
export function PortalQuestionnaire({ user, instrumentId }: { user: User; instrumentId: string }) {
  const instrument = useGet<Instrument>(`/api/v1/instruments/${encodeURIComponent(instrumentId)}`);
  if (instrument.loading && !instrument.data) return <Loading what="Opening the questionnaire" />;
  if (!user.client_id || instrument.error || !instrument.data) {
    return (
      <>
        <PageHeading title="Questionnaire" />
        <ErrorMessage message={instrument.error ? problemToFormErrors(instrument.error.problem).summary : 'This questionnaire could not be opened.'} />
        <p>
          <Link href="/portal">Back to home</Link>
        </p>
      </>
    );
  }
  return <TakeQuestionnaire clientId={user.client_id} instrument={instrument.data} />;
}

function TakeQuestionnaire({ clientId, instrument }: { clientId: string; instrument: Instrument }) {
  const post = useIdempotentPost();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<QuestionnaireErrors>(noQuestionnaireErrors);
  const [result, setResult] = useState<Assessment | null>(null);
  // Set when the answers show risk: the risk screen is shown before the answers are even sent.
  const [risk, setRisk] = useState<{ answers: Answer[]; submission: SubmissionState } | null>(null);
  const path = `/api/v1/clients/${encodeURIComponent(clientId)}/assessments`;

  const sendRisky = async (answers: Answer[]) => {
    setRisk({ answers, submission: 'sending' });
    try {
      setResult(await post<Assessment>(path, { instrument: instrument.id, answers, rater: 'self' }));
      setRisk({ answers, submission: 'sent' });
    } catch {
      // the plan and lines stay on screen; the answers are kept for "Try sending again"
      setRisk({ answers, submission: 'failed' });
    }
  };

  const submit = async (answers: Answer[]) => {
    if (raisesCriticalFlag(instrument, answers)) {
      void sendRisky(answers);
      return;
    }
    setBusy(true);
    try {
      const scored = await post<Assessment>(path, { instrument: instrument.id, answers, rater: 'self' });
      // the server found a risk the browser's table does not know: the same screen
      if (scored.flags.some((f) => f.severity === 'critical')) setRisk({ answers, submission: 'sent' });
      setResult(scored);
    } catch (e) {
      const sorted = problemToAnswerErrors(e instanceof ApiError ? e.problem : { status: 0 }, instrument.items);
      setErrors({ summary: sorted.summary, items: sorted.items });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeading title={instrument.name} />
      {risk ? (
        <>
          <RiskScreen submission={risk.submission} onRetry={() => void sendRisky(risk.answers)} />
          <p>
            <Link href="/portal" class="button">
              Back to home
            </Link>
          </p>
        </>
      ) : result ? (
        <ClientThanks clientText={result.band?.client_text} needsFollowUp={false} who="your care team">
          <p>
            <Link href="/portal" class="button">
              Back to home
            </Link>
          </p>
        </ClientThanks>
      ) : (
        <>
          <Questionnaire
            instrument={instrument}
            layout="one"
            intro={<ClientIntro instrument={instrument} />}
            submitLabel="Send my answers"
            busy={busy}
            errors={errors}
            onSubmit={(a) => void submit(a)}
            idPrefix="portal-q"
          />
          <p class="leave">
            <Link href="/portal">Stop and go back to home</Link>
          </p>
        </>
      )}
      {instrument.copyright ? <p class="copyright muted">{instrument.copyright}</p> : null}
    </>
  );
}
