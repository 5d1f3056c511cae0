// /portal/diary — the client's own check-ins: how often they checked in (counted without guilt),
// a rating over the week, month or year as a chart with a table beside it, the patterns in
// the server's own words, a CSV download, and the recent entries.
import { useState } from 'preact/hooks';
import { query } from '../api';
import {
  addDays,
  checkInsPath,
  dayTime,
  factorLabel,
  factorsPath,
  medicationWord,
  moodWord,
  patternCaution,
  sleepQualityWord,
  sleepWords,
  streakWords,
  urgeWord,
  type CheckIn,
  type CheckInSummary,
  type Factor,
  type SeriesName,
  type SeriesPoint,
  type Span,
} from '../checkIns';
import { CheckInChart } from '../components/CheckInChart';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { formatDate, todayISO } from '../format';
import { formatScore } from '../measureChart';
import { problemToFormErrors } from '../problem';
import type { Items } from '../types';
import { useGet } from '../useApi';
import { MoodFace, WaitingNotice } from './PortalCheckIn';
import './checkin.css';

export const csvPath = '/api/v1/me/check-ins.csv';

const spans: { id: Span; label: string }[] = [
  { id: 'week', label: 'Week' },
  { id: 'month', label: 'Month' },
  { id: 'year', label: 'Year' },
];

interface Rating {
  id: SeriesName;
  label: string;
  scale: { min: number; max: number };
  ends: { low: string; high: string };
  words?: (v: number) => string;
}

export const ratings: Rating[] = [
  { id: 'mood', label: 'Mood', scale: { min: 0, max: 10 }, ends: { low: 'Worst', high: 'Best' }, words: moodWord },
  { id: 'anxiety', label: 'Anxiety', scale: { min: 0, max: 10 }, ends: { low: 'None', high: 'Most' } },
  { id: 'sleep_hours', label: 'Hours slept', scale: { min: 0, max: 12 }, ends: { low: '0 h', high: '12 h' } },
  { id: 'sleep_quality', label: 'Sleep quality', scale: { min: 0, max: 4 }, ends: { low: 'Very poor', high: 'Very good' }, words: sleepQualityWord },
  { id: 'energy', label: 'Energy', scale: { min: 0, max: 10 }, ends: { low: 'None', high: 'Full' } },
  { id: 'self_harm_urge', label: 'Urges to harm yourself', scale: { min: 0, max: 5 }, ends: { low: 'None', high: 'Extreme' }, words: urgeWord },
];

/** The chart's words: how many days and the range, for the SVG's description. */
export function seriesSummary(label: string, points: readonly SeriesPoint[], s: Span): string {
  if (!points.length) return `No ${label.toLowerCase()} ratings in this ${s} yet.`;
  const values = points.map((p) => p.value);
  const weekly = points.some((p) => p.week);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const n = weekly ? `${points.length} week${points.length === 1 ? '' : 's'} (weekly means)` : `${points.length} day${points.length === 1 ? '' : 's'}`;
  return `${label}: ${n} from ${formatDate(points[0].date)} to ${formatDate(points[points.length - 1].date)}, between ${formatScore(Math.round(lo * 10) / 10)} and ${formatScore(Math.round(hi * 10) / 10)}. The table below lists every value.`;
}

export function DiaryPage({ owner }: { owner: string }) {
  const [spanId, setSpan] = useState<Span>('week');
  const [ratingId, setRating] = useState<SeriesName>('mood');
  const summary = useGet<CheckInSummary>(`${checkInsPath}/summary${query({ span: spanId })}`);
  const today = todayISO();
  const recent = useGet<Items<CheckIn>>(`${checkInsPath}${query({ from: addDays(today, -29), to: today })}`);
  const factors = useGet<Items<Factor>>(factorsPath);
  const labels = new Map((factors.data?.items ?? []).map((f) => [f.id, f.label]));
  const rating = ratings.find((r) => r.id === ratingId)!;
  const s = summary.data;
  const points = s?.series[ratingId] ?? [];

  return (
    <>
      <PageHeading title="My diary" />
      <WaitingNotice owner={owner} />
      <p>
        <Link href="/portal/check-in" class="button">
          Check in now
        </Link>
      </p>

      {summary.loading && !s ? <Loading what="Opening your diary" /> : null}
      {summary.error ? <ErrorMessage message={problemToFormErrors(summary.error.problem).summary} /> : null}

      {s ? (
        <section class="card streak" aria-labelledby="streak-heading">
          <h2 id="streak-heading">Checking in</h2>
          {streakWords(s.streak).map((line) => (
            <p key={line}>{line}</p>
          ))}
        </section>
      ) : null}

      <section class="diary-chart" aria-labelledby="chart-heading">
        <h2 id="chart-heading">Over time</h2>
        <div class="span-picker" role="group" aria-label="Time span">
          {spans.map((sp) => (
            <button key={sp.id} type="button" class="button button--secondary" aria-pressed={spanId === sp.id} onClick={() => setSpan(sp.id)}>
              {sp.label}
            </button>
          ))}
        </div>
        <div class="field">
          <label for="diary-rating">Show</label>
          <select id="diary-rating" value={ratingId} onChange={(e) => setRating((e.currentTarget as HTMLSelectElement).value as SeriesName)}>
            {ratings.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
        {s ? (
          <>
            <CheckInChart
              id="diary-chart"
              title={`${rating.label}, ${spans.find((x) => x.id === spanId)!.label.toLowerCase()} to ${formatDate(s.to)}`}
              summary={seriesSummary(rating.label, points, spanId)}
              points={points}
              scale={rating.scale}
              ends={rating.ends}
              domain={[dayTime(s.from), dayTime(s.to)]}
              valueWords={rating.words}
            />
            {points.length ? (
              <details class="chart-table">
                <summary>Show as a table</summary>
                <div class="table-wrap" role="region" aria-label={`${rating.label} (table)`} tabIndex={0}>
                  <table class="table">
                    <caption class="visually-hidden">
                      {rating.label} from {formatDate(s.from)} to {formatDate(s.to)}
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">{points.some((p) => p.week) ? 'Week of' : 'Day'}</th>
                        <th scope="col">{rating.label}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {points.map((p) => (
                        <tr key={p.date}>
                          <td>{formatDate(p.date)}</td>
                          <td>
                            {formatScore(Math.round(p.value * 10) / 10)}
                            {p.week ? ` (mean of ${p.count} day${p.count === 1 ? '' : 's'})` : rating.words ? ` (${rating.words(p.value)})` : ''}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </details>
            ) : (
              <p class="muted">Nothing to show for this {spanId} yet.</p>
            )}
          </>
        ) : null}
      </section>

      {s && s.patterns.length ? (
        <section class="card patterns" aria-labelledby="patterns-heading">
          <h2 id="patterns-heading">Patterns</h2>
          <p class="muted">{patternCaution} Many things affect how we feel; your care team can help you look at these.</p>
          <ul>
            {s.patterns.map((p) => (
              <li key={p.factor_id}>{p.text}</li>
            ))}
          </ul>
        </section>
      ) : null}

      <section class="diary-recent" aria-labelledby="recent-heading">
        <h2 id="recent-heading">Recent entries</h2>
        {recent.loading && !recent.data ? <Loading what="Loading your entries" /> : null}
        {recent.data && recent.data.items.length === 0 ? <p>No check-ins in the last 30 days yet.</p> : null}
        {recent.data && recent.data.items.length ? (
          <ul class="diary-entries">
            {[...recent.data.items]
              .sort((a, b) => (a.date < b.date ? 1 : -1))
              .map((c) => (
                <li key={c.id} data-date={c.date}>
                  <span class="entry-day">{c.date === today ? 'Today' : formatDate(c.date)}</span>{' '}
                  <MoodFace value={c.mood} size={22} /> Mood {c.mood} · {moodWord(c.mood)}
                  <EntryDetails c={c} labels={labels} />
                </li>
              ))}
          </ul>
        ) : null}
      </section>

      <p>
        <a href={csvPath} download="my-diary.csv" class="button button--secondary">
          Download my diary (CSV)
        </a>
      </p>
      <p class="leave">
        <Link href="/portal">Back to home</Link>
      </p>
    </>
  );
}

function EntryDetails({ c, labels }: { c: CheckIn; labels: Map<string, string> }) {
  const parts = [
    c.anxiety !== null ? `anxiety ${c.anxiety}` : '',
    c.sleep_hours !== null ? `slept ${sleepWords(c.sleep_hours)}` : '',
    c.sleep_quality !== null ? `sleep ${sleepQualityWord(c.sleep_quality).toLowerCase()}` : '',
    c.energy !== null ? `energy ${c.energy}` : '',
    c.self_harm_urge !== null ? `urges ${c.self_harm_urge} (${urgeWord(c.self_harm_urge).toLowerCase()})` : '',
    c.medication ? `medication: ${medicationWord(c.medication).toLowerCase()}` : '',
  ].filter(Boolean);
  const factors = c.factors.map((id) => factorLabel(id, labels));
  return (
    <>
      {parts.length ? <div class="muted">{parts.join(' · ')}</div> : null}
      {factors.length ? <div>{factors.join(', ')}</div> : null}
      {c.note ? (
        <div class="entry-note">
          “{c.note}” <span class="muted">{c.share_note ? '(shared with your care team)' : '(only you can see this)'}</span>
        </div>
      ) : null}
    </>
  );
}
