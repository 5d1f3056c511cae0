// How staff see one scored result: the total against its maximum, the band, flags (critical
// ones first, framed but not alarming), change since the previous and the first result, and
// the answers item by item.
import { formatDateTime, humanize } from '../format';
import { changeWords, formatScore, outcomeWords } from '../measureChart';
import { answerLabel } from '../questionnaire';
import type { Assessment, Flag, Instrument } from '../types';

const raterWords: Record<string, string> = {
  self: 'the client',
  clinician: 'a clinician',
  parent: 'a parent or carer',
  teacher: 'a teacher',
  other: 'someone else',
};

const viaWords: Record<string, string> = {
  session: 'entered by staff',
  portal: 'in the client portal',
  link: 'through a link',
  fhir: 'imported (FHIR)',
};

/** "Answered by the client, through a link" */
export function sourceWords(a: Pick<Assessment, 'rater' | 'via'>): string {
  const via = viaWords[a.via] ?? (a.via ? humanize(a.via).toLowerCase() : '');
  return `Answered by ${raterWords[a.rater] ?? a.rater}${via ? `, ${via}` : ''}`;
}

/** "12 of 27" or, for an instrument without a total (C-SSRS), the band alone. */
export function totalWords(a: Pick<Assessment, 'total' | 'total_max'>): string {
  if (a.total === null || a.total === undefined) return '';
  return a.total_max !== null && a.total_max !== undefined ? `${formatScore(a.total)} of ${formatScore(a.total_max)}` : formatScore(a.total);
}

function flagItems(flag: Flag, a: Assessment, instrument: Instrument | null): string {
  if (!instrument || !flag.items.length) return '';
  const parts = flag.items.map((linkId) => {
    const item = instrument.items.find((i) => i.linkId === linkId);
    const answer = a.answers.find((x) => x.linkId === linkId);
    const name = item?.prefix ? `item ${item.prefix.replace(/\.$/, '')}` : linkId;
    return answer ? `${name} answered “${answerLabel(item, answer.value)}”` : name;
  });
  return parts.join('; ');
}

/** Critical flags, shown first and framed: someone should look at these today. */
export function CriticalFlags({ assessment: a, instrument }: { assessment: Assessment; instrument: Instrument | null }) {
  const critical = a.flags.filter((f) => f.severity === 'critical');
  if (!critical.length) return null;
  return (
    <div class="flag-critical" role="note" aria-label="Needs attention today">
      <p class="flag-critical-title">Needs attention today</p>
      <ul>
        {critical.map((f) => {
          const detail = flagItems(f, a, instrument);
          return (
            <li key={f.code}>
              <strong>{f.label}</strong>
              {detail ? <span class="muted"> — {detail}</span> : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** The other flags (warning, info), as a plain list. */
export function OtherFlags({ assessment: a }: { assessment: Assessment }) {
  const rest = a.flags.filter((f) => f.severity !== 'critical');
  if (!rest.length) return null;
  return (
    <ul class="flag-list">
      {rest.map((f) => (
        <li key={f.code}>
          <span class={`flag-severity flag-severity--${f.severity}`}>{f.severity === 'warning' ? 'Note' : 'Info'}</span> {f.label}
        </li>
      ))}
    </ul>
  );
}

/** The result just recorded (or chosen on the chart), in words. */
export function ResultSummary({ assessment: a, instrument }: { assessment: Assessment; instrument: Instrument | null }) {
  const total = totalWords(a);
  const previous = changeWords(a.change?.previous, 'previous');
  const first = changeWords(a.change?.first, 'first');
  const outcomes = outcomeWords(a.change?.first);
  return (
    <div class="result">
      <CriticalFlags assessment={a} instrument={instrument} />
      <dl class="result-facts">
        {total ? (
          <div>
            <dt>Total</dt>
            <dd class="result-total">{total}</dd>
          </div>
        ) : null}
        <div>
          <dt>{total ? 'Band' : 'Result'}</dt>
          <dd>
            {a.band ? a.band.label : <span class="muted">No band</span>}
            {a.case === true ? <span class="tag">Clinical range</span> : null}
          </dd>
        </div>
        <div>
          <dt>Since the previous result</dt>
          <dd>{previous || <span class="muted">This is the first result</span>}</dd>
        </div>
        {a.change?.first && a.change.first.from_id !== a.change.previous?.from_id ? (
          <div>
            <dt>Since the first result</dt>
            <dd>{first}</dd>
          </div>
        ) : null}
        {outcomes.length ? (
          <div>
            <dt>Outcome</dt>
            <dd>{humanize(outcomes.join(', '))}</dd>
          </div>
        ) : null}
      </dl>
      {a.subscales.length ? (
        <ul class="plain-list subscales">
          {a.subscales.map((s) => (
            <li key={s.id}>
              {s.name}: {formatScore(s.score)}
              {s.positive === true ? ' (positive)' : s.positive === false ? ' (below the cut-off)' : ''}
            </li>
          ))}
        </ul>
      ) : null}
      {!a.complete ? (
        <p class="muted">
          Scored with {a.missing.length} item{a.missing.length === 1 ? '' : 's'} unanswered, as the instrument’s manual allows.
        </p>
      ) : null}
      <OtherFlags assessment={a} />
      <p class="muted">
        {sourceWords(a)}, {formatDateTime(a.completed_at)}.
      </p>
    </div>
  );
}

/** Each item's text with the answer given; unanswered and flagged items are said in words. */
export function AnswerTable({ assessment: a, instrument, caption }: { assessment: Assessment; instrument: Instrument; caption: string }) {
  const given = new Map(a.answers.map((x) => [x.linkId, x.value]));
  const flagged = new Map<string, string>();
  for (const f of a.flags) for (const linkId of f.items) flagged.set(linkId, f.label);
  const rows = instrument.items.filter((i) => given.has(i.linkId) || a.missing.includes(i.linkId));
  return (
    <div class="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table class="table answers">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Question</th>
            <th scope="col">Answer</th>
            <th scope="col" class="num">
              Value
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((i) => {
            const value = given.get(i.linkId);
            return (
              <tr key={i.linkId} class={flagged.has(i.linkId) ? 'flagged' : undefined}>
                <td>
                  {i.prefix ? `${i.prefix} ` : ''}
                  {i.text}
                  {flagged.has(i.linkId) ? <span class="flag-note">Flagged: {flagged.get(i.linkId)}</span> : null}
                </td>
                <td>{value === undefined ? <span class="muted">Not answered</span> : answerLabel(i, value)}</td>
                <td class="num">{value === undefined ? '—' : formatScore(value)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
