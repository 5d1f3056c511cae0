// The client's daily check-ins in the clinician's chart: mood and self-harm urges over time on
// the same time axis as the measure graphs (Measures tab), strong urges marked, and the recent
// check-ins as a table. The note is shown only when the client chose to share it: the server
// sends null otherwise, and this page never says whether an unshared note exists.
import { query } from '../api';
import { checkInWindow, dayTime, factorLabel, isStrongUrge, medicationWord, moodWord, ratingPoints, sleepQualityWord, sleepWords, strongUrge, urgeWord, type CheckIn } from '../checkIns';
import { CheckInChart } from '../components/CheckInChart';
import { Link } from '../components/Link';
import { ErrorMessage, Loading } from '../components/Page';
import { formatDate, todayISO } from '../format';
import { problemToFormErrors } from '../problem';
import type { Items, Measure } from '../types';
import { useGet, type Loaded } from '../useApi';
import './checkin.css';

const enc = encodeURIComponent;

/** The instants of every measure result (or the first and latest when the answer has no list). */
export function measureTimes(measures: readonly Measure[]): number[] {
  return measures.flatMap((m) => (m.results ?? [m.first, m.latest]).map((a) => Date.parse(a.completed_at))).filter((t) => !Number.isNaN(t));
}

/** The client's check-ins for the window the measures cover (null `times`: not known yet, wait). */
export function useClientCheckIns(clientId: string, times: number[] | null): Loaded<Items<CheckIn>> {
  const w = times ? checkInWindow(times, todayISO()) : null;
  return useGet<Items<CheckIn>>(w ? `/api/v1/clients/${enc(clientId)}/check-ins${query({ from: w.from, to: w.to })}` : null);
}

/** The facts of the graph in words, for its description. */
export function checkInSummary(items: readonly CheckIn[]): string {
  if (!items.length) return 'No check-ins.';
  const sorted = [...items].sort((a, b) => (a.date < b.date ? -1 : 1));
  const last = sorted[sorted.length - 1];
  const strong = sorted.filter((c) => isStrongUrge(c.self_harm_urge));
  return [
    `${sorted.length} check-in${sorted.length === 1 ? '' : 's'} from ${formatDate(sorted[0].date)} to ${formatDate(last.date)}.`,
    `Latest mood ${last.mood} of 10 (${moodWord(last.mood).toLowerCase()}), on ${formatDate(last.date)}. Higher mood is better.`,
    strong.length
      ? `Strong urges to self-harm (${strongUrge} or more of 5) on ${strong.map((c) => `${formatDate(c.date)} (${c.self_harm_urge})`).join(', ')}.`
      : 'No strong urges to self-harm reported.',
    'The table lists each check-in.',
  ].join(' ');
}

/** Mood (0–10) with urges (0–5) underneath; `domain` lines it up with the measure graphs. */
export function CheckInGraph({ items, domain, id = 'checkin-graph' }: { items: CheckIn[]; domain?: [number, number]; id?: string }) {
  const mood = ratingPoints(items, 'mood');
  const urges = ratingPoints(items, 'self_harm_urge');
  return (
    <CheckInChart
      id={id}
      title="Daily check-ins: mood and urges to self-harm over time"
      summary={checkInSummary(items)}
      points={mood}
      scale={{ min: 0, max: 10 }}
      ends={{ low: 'Mood 0', high: 'Mood 10' }}
      domain={domain}
      urges={urges}
      valueWords={moodWord}
    />
  );
}

function cellsOf(c: CheckIn) {
  return {
    sleep: [c.sleep_hours !== null ? sleepWords(c.sleep_hours) : '', c.sleep_quality !== null ? sleepQualityWord(c.sleep_quality).toLowerCase() : ''].filter(Boolean).join(', '),
  };
}

/** Newest first; a strong urge is marked in words, not colour only. */
export function CheckInTable({ items, limit, caption }: { items: CheckIn[]; limit?: number; caption: string }) {
  const rows = [...items].sort((a, b) => (a.date < b.date ? 1 : -1)).slice(0, limit ?? items.length);
  const known = new Map<string, string>();
  return (
    <div class="table-wrap" role="region" aria-label={`${caption} (table)`} tabIndex={0}>
      <table class="table checkins-table">
        <caption class="visually-hidden">{caption}, newest first. A note appears only when the client chose to share it.</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Mood</th>
            <th scope="col">Urges</th>
            <th scope="col">Anxiety</th>
            <th scope="col">Sleep</th>
            <th scope="col">Energy</th>
            <th scope="col">Medication</th>
            <th scope="col">Activities and factors</th>
            <th scope="col">Shared note</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id} data-date={c.date} class={isStrongUrge(c.self_harm_urge) ? 'urge-row' : undefined}>
              <td>{formatDate(c.date)}</td>
              <td>
                {c.mood} <span class="muted">{moodWord(c.mood).toLowerCase()}</span>
              </td>
              <td>
                {c.self_harm_urge === null ? '—' : `${c.self_harm_urge} ${urgeWord(c.self_harm_urge).toLowerCase()}`}
                {isStrongUrge(c.self_harm_urge) ? <span class="tag tag--urge">Strong urge</span> : null}
              </td>
              <td>{c.anxiety ?? '—'}</td>
              <td>{cellsOf(c).sleep || '—'}</td>
              <td>{c.energy ?? '—'}</td>
              <td>{c.medication ? medicationWord(c.medication) : '—'}</td>
              <td>{c.factors.length ? c.factors.map((f, i) => c.factor_labels?.[i] ?? factorLabel(f, known)).join(', ') : '—'}</td>
              <td class="note-cell">{c.note ? c.note : <span class="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** In the Measures tab, above the measure graphs and on their time axis. */
export function CheckInsOnMeasures({ clientId, checkIns, domain }: { clientId: string; checkIns: Loaded<Items<CheckIn>>; domain?: [number, number] }) {
  const items = checkIns.data?.items ?? [];
  if (checkIns.error?.status === 404) return null;
  return (
    <section class="measure checkins-measure" aria-labelledby="checkins-measure-heading">
      <div class="measure-head">
        <h3 id="checkins-measure-heading">Daily check-ins</h3>
        {checkIns.data ? (
          <span class="muted">
            {items.length} check-in{items.length === 1 ? '' : 's'}
          </span>
        ) : null}
      </div>
      {checkIns.loading && !checkIns.data ? <Loading what="Loading check-ins" /> : null}
      {checkIns.error ? <ErrorMessage message={problemToFormErrors(checkIns.error.problem).summary} /> : null}
      {checkIns.data && !items.length ? <p class="empty">No check-ins from the portal in this period.</p> : null}
      {items.length ? (
        <>
          <p class="muted">On the same dates as the questionnaire graphs below. Strong urges ({strongUrge} or more of 5) are marked in red with a triangle.</p>
          <CheckInGraph items={items} domain={domain} id="measures-checkins" />
          <CheckInTable items={items} limit={7} caption="Recent check-ins" />
          <p>
            <Link href={`/clients/${enc(clientId)}?tab=check-ins`}>All check-ins</Link>
          </p>
        </>
      ) : null}
    </section>
  );
}

/** The chart's Check-ins tab: the last 90 days (or back to the first measure), every check-in listed. */
export function CheckInsTab({ clientId }: { clientId: string }) {
  const checkIns = useClientCheckIns(clientId, []);
  const items = checkIns.data?.items ?? [];
  const today = todayISO();
  return (
    <>
      {checkIns.loading && !checkIns.data ? <Loading what="Loading check-ins" /> : null}
      {checkIns.error ? <ErrorMessage message={problemToFormErrors(checkIns.error.problem).summary} /> : null}
      {checkIns.data && !items.length ? <p class="empty">No check-ins from the portal in the last 90 days.</p> : null}
      {items.length ? (
        <>
          <p class="muted">
            The last 90 days, to {formatDate(today)}. Strong urges ({strongUrge} or more of 5) are marked. The questionnaire graphs on the Measures tab show these check-ins on the same dates.
          </p>
          <div class="measure">
            <CheckInGraph items={items} domain={[dayTime(checkInWindowFrom(today)), dayTime(today)]} />
          </div>
          <CheckInTable items={items} caption="Check-ins" />
        </>
      ) : null}
    </>
  );
}

function checkInWindowFrom(today: string): string {
  return checkInWindow([], today).from;
}
