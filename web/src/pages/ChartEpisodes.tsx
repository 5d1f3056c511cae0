// The chart's Episodes tab: each referral into a program and where it stands (referred,
// waitlist, intake, in treatment, ended), with the date of every step; a new referral; and
// moving an open episode on, with the stages the server says may come next.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError, SelectField, TextArea, TextField } from '../components/Field';
import { ErrorMessage, Loading } from '../components/Page';
import { formatDate } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { Episode, EpisodeStage, Items } from '../types';
import { useGet } from '../useApi';
import { focusFirstError } from './forms';
import { ClientTasks } from './Tasks';

export const stageWords: Record<EpisodeStage, string> = {
  referred: 'Referred',
  waitlist: 'On the waitlist',
  intake: 'Intake',
  active: 'In treatment',
  discharged: 'Discharged',
  declined: 'Declined',
  transferred: 'Transferred',
};

/** Words for moving to a stage, as on the button's list. */
const moveWords: Record<EpisodeStage, string> = {
  referred: 'Referred',
  waitlist: 'Put on the waitlist',
  intake: 'Intake (first assessment)',
  active: 'Start treatment',
  discharged: 'Discharge',
  declined: 'Declined (not taken on)',
  transferred: 'Transfer elsewhere',
};

export const referralSources = ['self', 'primary care', 'hospital', 'emergency department', 'school or college', 'employer', 'social services', 'court or police', 'another service', 'family or friend'];

/** Today in the browser's calendar, as YYYY-MM-DD. */
export function today(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

/** Whole days from one YYYY-MM-DD date to another. */
export function daysFrom(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** The dated steps an episode has been through and its first two attended appointments, in
 * date order, with the days since referral. */
export function milestones(e: Episode): { label: string; on: string; days: number }[] {
  const out = [{ label: 'Referred', on: e.referred_on, days: 0 }];
  const add = (label: string, on: string | null) => on && out.push({ label, on, days: daysFrom(e.referred_on, on) });
  add('Waitlist', e.waitlisted_on);
  add('Intake', e.intake_on);
  add('Treatment', e.active_on);
  add('First appointment', e.first_seen_on ?? null);
  add('Second appointment', e.second_seen_on ?? null);
  if (e.ended_on) add(stageWords[e.stage], e.ended_on);
  // In date order (stable: the pathway's order on the same day).
  return out.map((m, i) => ({ m, i })).sort((a, b) => a.m.on.localeCompare(b.m.on) || a.i - b.i).map(({ m }) => m);
}

export function EpisodesTab({ clientId }: { clientId: string }) {
  const list = useGet<Items<Episode>>(`/api/v1/clients/${encodeURIComponent(clientId)}/episodes`);
  const [adding, setAdding] = useState(false);
  if (list.loading && !list.data) return <Loading what="Loading episodes of care" />;
  if (list.error) return <ErrorMessage message={problemToFormErrors(list.error.problem).summary} />;
  const items = list.data?.items ?? [];
  return (
    <div class="episodes">
      {items.length === 0 ? <p class="muted">No referrals yet.</p> : null}
      {items.map((e) => (
        <EpisodeCard key={`${e.id}-${e.version}`} episode={e} onChanged={list.reload} />
      ))}
      {adding ? (
        <NewReferral
          clientId={clientId}
          onDone={() => {
            setAdding(false);
            list.reload();
          }}
          onCancel={() => setAdding(false)}
        />
      ) : (
        <button type="button" class="button" onClick={() => setAdding(true)}>
          New referral
        </button>
      )}
      <ClientTasks clientId={clientId} />
    </div>
  );
}

function NewReferral({ clientId, onDone, onCancel }: { clientId: string; onDone: () => void; onCancel: () => void }) {
  const [program, setProgram] = useState('');
  const [source, setSource] = useState('self');
  const [reason, setReason] = useState('');
  const [on, setOn] = useState(today());
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    try {
      await api.post<Episode>(`/api/v1/clients/${encodeURIComponent(clientId)}/episodes`, {
        program: program.trim(),
        referral_source: source,
        referral_reason: reason.trim(),
        referred_on: on,
      });
      setErrors(noErrors);
      onDone();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['program', 'referral_source', 'referral_reason', 'referred_on']) : noErrors);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form new-referral" onSubmit={submit} noValidate aria-labelledby="new-referral-heading">
      <h3 id="new-referral-heading">New referral</h3>
      <FormError message={errors.summary} />
      <TextField name="program" idPrefix="referral" label="Program" hint="The service or program the referral is to, e.g. Adult counselling." required value={program} onInput={setProgram} error={errors.fields.program} />
      <SelectField name="referral_source" idPrefix="referral" label="Referred by" required value={source} onChange={setSource} error={errors.fields.referral_source} options={referralSources.map((s) => ({ value: s, label: s[0].toUpperCase() + s.slice(1) }))} />
      <TextArea name="referral_reason" idPrefix="referral" label="Reason for referral" required rows={3} value={reason} onInput={setReason} error={errors.fields.referral_reason} />
      <TextField name="referred_on" idPrefix="referral" label="Referral received on" type="date" max={today()} required value={on} onInput={setOn} error={errors.fields.referred_on} />
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          Add the referral
        </button>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function EpisodeCard({ episode, onChanged }: { episode: Episode; onChanged: () => void }) {
  const detail = useGet<Episode>(`/api/v1/episodes/${encodeURIComponent(episode.id)}`);
  const e = detail.data ?? episode;
  const headingId = `episode-${e.id}`;
  return (
    <section class={`episode episode--${e.open ? 'open' : 'ended'}`} aria-labelledby={headingId}>
      <h3 id={headingId}>
        {e.program} <span class={`tag tag--${e.open ? 'info' : 'muted'}`}>{stageWords[e.stage]}</span>
      </h3>
      <p class="muted">
        Referred by {e.referral_source} on {formatDate(e.referred_on)}
        {e.transferred_to ? ` · transferred to ${e.transferred_to}` : ''}
      </p>
      <p class="episode-reason">{e.referral_reason}</p>
      <ol class="episode-steps" aria-label={`Steps of ${e.program}`}>
        {milestones(e).map((m) => (
          <li key={m.label}>
            <span class="episode-step-label">{m.label}</span> <time dateTime={m.on}>{formatDate(m.on)}</time>
            {m.days > 0 ? <span class="muted"> ({m.days === 1 ? '1 day' : `${m.days} days`} after referral)</span> : null}
          </li>
        ))}
      </ol>
      {detail.data && detail.data.steps?.some((s) => s.note) ? (
        <details>
          <summary>Notes on the steps</summary>
          <ul>
            {detail.data.steps
              .filter((s) => s.note)
              .map((s) => (
                <li key={s.at}>
                  {stageWords[s.stage]} ({formatDate(s.on)}): {s.note}
                </li>
              ))}
          </ul>
        </details>
      ) : null}
      {e.open && detail.data?.next?.length ? <MoveEpisode episode={detail.data} onMoved={onChanged} /> : null}
    </section>
  );
}

function MoveEpisode({ episode, onMoved }: { episode: Episode; onMoved: () => void }) {
  const next = episode.next ?? [];
  const [stage, setStage] = useState<string>(next[0]);
  const [on, setOn] = useState(today());
  const [note, setNote] = useState('');
  const [where, setWhere] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    try {
      await api.post<Episode>(`/api/v1/episodes/${encodeURIComponent(episode.id)}/steps`, {
        stage,
        on,
        note: note.trim() || undefined,
        transferred_to: stage === 'transferred' ? where.trim() : undefined,
        version: episode.version,
      });
      setErrors(noErrors);
      onMoved();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['stage', 'on', 'note', 'transferred_to']) : noErrors);
    } finally {
      setBusy(false);
    }
  };
  const prefix = `move-${episode.id}`;
  return (
    <form class="form form--inline move-episode" onSubmit={submit} noValidate aria-label={`Move ${episode.program} on`}>
      <FormError message={errors.summary} />
      <SelectField name="stage" idPrefix={prefix} label="Next step" required value={stage} onChange={setStage} error={errors.fields.stage} options={next.map((s) => ({ value: s, label: moveWords[s] }))} />
      <TextField name="on" idPrefix={prefix} label="On" type="date" max={today()} required value={on} onInput={setOn} error={errors.fields.on} />
      {stage === 'transferred' ? <TextField name="transferred_to" idPrefix={prefix} label="Transferred to" required value={where} onInput={setWhere} error={errors.fields.transferred_to} /> : null}
      <TextField name="note" idPrefix={prefix} label="Note" value={note} onInput={setNote} error={errors.fields.note} />
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          Record the step
        </button>
      </div>
    </form>
  );
}
