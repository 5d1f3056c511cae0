// The chart's Plan tab: the treatment plan (problems, the client's goals in their words,
// measurable objectives with progress from the results, interventions, the review date), who
// agreed to which version, writing and changing it (every save a new version), the history
// with what changed between versions, and the discharge summary with the relapse prevention
// plan for each discharged episode.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError, SelectField, TextArea, TextField } from '../components/Field';
import { ErrorMessage, Loading } from '../components/Page';
import { formatDate, formatDateTime } from '../format';
import { agreementWords, bodyOf, draftOf, groupChanges, progressLine, progressWords, targetWords, type Discharge, type Draft, type InterventionInfo, type Plan, type PlanChange, type PlanSummary, type PlanVersion } from '../plans';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { CareTeamMember, Episode, InstrumentSummary, Items, Page } from '../types';
import { useGet } from '../useApi';
import { today } from './ChartEpisodes';
import { focusFirstError } from './forms';

export function PlanTab({ clientId, userId }: { clientId: string; userId: string }) {
  const base = `/api/v1/clients/${encodeURIComponent(clientId)}`;
  const list = useGet<Items<PlanSummary>>(`${base}/plans`);
  const [writing, setWriting] = useState(false);
  if (list.loading && !list.data) return <Loading what="Loading the treatment plan" />;
  if (list.error) return <ErrorMessage message={problemToFormErrors(list.error.problem).summary} />;
  const current = list.data?.items[0];
  return (
    <div class="plan-tab">
      {current ? <PlanCard key={`${current.id}-${current.version}`} planId={current.id} clientId={clientId} userId={userId} onSaved={list.reload} /> : null}
      {!current && !writing ? (
        <>
          <p class="muted">No treatment plan yet.</p>
          <button type="button" class="button" onClick={() => setWriting(true)}>
            Write a plan
          </button>
        </>
      ) : null}
      {!current && writing ? (
        <PlanEditor
          clientId={clientId}
          userId={userId}
          plan={null}
          onSaved={() => {
            setWriting(false);
            list.reload();
          }}
          onCancel={() => setWriting(false)}
        />
      ) : null}
      <Discharges clientId={clientId} />
    </div>
  );
}

function PlanCard({ planId, clientId, userId, onSaved }: { planId: string; clientId: string; userId: string; onSaved: () => void }) {
  const plan = useGet<Plan>(`/api/v1/plans/${encodeURIComponent(planId)}`);
  const [editing, setEditing] = useState(false);
  if (plan.loading && !plan.data) return <Loading what="Opening the plan" />;
  if (plan.error || !plan.data) return <ErrorMessage message={plan.error ? problemToFormErrors(plan.error.problem).summary : 'The plan could not be loaded.'} />;
  const p = plan.data;
  if (editing) {
    return (
      <PlanEditor
        clientId={clientId}
        userId={userId}
        plan={p}
        onSaved={() => {
          setEditing(false);
          onSaved();
        }}
        onCancel={() => setEditing(false)}
      />
    );
  }
  return (
    <section class="plan" aria-labelledby="plan-heading">
      <h3 id="plan-heading">
        Treatment plan <span class="tag tag--info">Version {p.version}</span>
      </h3>
      <p class="muted">
        Saved by {p.saved_by.name} on {formatDateTime(p.saved_at)}
      </p>
      <p class={`plan-agreement ${p.agreement.current ? 'plan-agreement--agreed' : 'plan-agreement--pending'}`} role="status">
        {agreementWords(p)}
      </p>
      <PlanBody plan={p} />
      <p>
        Review on <time dateTime={p.review_on}>{formatDate(p.review_on)}</time>
        {p.review_due === 'overdue' ? <span class="tag tag--warning"> Review overdue</span> : null}
        {p.review_due === 'today' ? <span class="tag tag--warning"> Review today</span> : null}
      </p>
      <div class="actions">
        <button type="button" class="button" onClick={() => setEditing(true)}>
          Change the plan
        </button>
      </div>
      <History planId={p.id} version={p.version} />
    </section>
  );
}

/** The plan's content, as staff read it. */
export function PlanBody({ plan }: { plan: Plan | PlanVersion }) {
  return (
    <>
      <h4>Problems</h4>
      {plan.problems.length === 0 ? <p class="muted">None recorded.</p> : null}
      <ul>
        {plan.problems.map((x) => (
          <li key={x.id}>{x.text}</li>
        ))}
      </ul>
      <h4>Goals (in the client’s words)</h4>
      <ul>
        {plan.goals.map((x) => (
          <li key={x.id}>“{x.text}”</li>
        ))}
      </ul>
      <h4>Objectives</h4>
      {plan.objectives.length === 0 ? <p class="muted">None recorded.</p> : null}
      <ul class="plan-objectives">
        {plan.objectives.map((o) => (
          <li key={o.id}>
            <strong>{o.text}</strong> — {targetWords(o)}
            {o.progress ? (
              <span class="plan-progress">
                {' '}
                <span class={`tag tag--${o.progress.status === 'met' ? 'success' : o.progress.status === 'overdue' ? 'warning' : 'info'}`}>{progressWords[o.progress.status]}</span>
                {o.instrument_id ? <span class="muted"> {progressLine(o.progress)}</span> : null}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      <h4>Interventions</h4>
      <ul>
        {plan.interventions.map((i) => (
          <li key={i.id}>
            {i.name}
            {i.detail ? `: ${i.detail}` : ''} — {i.frequency}, with {i.delivered_by.name}
          </li>
        ))}
      </ul>
    </>
  );
}

function History({ planId, version }: { planId: string; version: number }) {
  const [open, setOpen] = useState(false);
  const versions = useGet<Items<PlanVersion>>(open ? `/api/v1/plans/${encodeURIComponent(planId)}/versions` : null);
  return (
    <details class="plan-history" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>Version history ({version === 1 ? '1 version' : `${version} versions`})</summary>
      {versions.loading && !versions.data ? <Loading what="Loading the versions" /> : null}
      {versions.error ? <ErrorMessage message={problemToFormErrors(versions.error.problem).summary} /> : null}
      <ol reversed class="plain-list">
        {(versions.data?.items ?? []).map((v) => (
          <li key={v.version}>
            <strong>Version {v.version}</strong> — {v.saved_by.name}, {formatDateTime(v.saved_at)}
            {v.version > 1 ? <Diff planId={planId} from={v.version - 1} to={v.version} /> : <span class="muted"> (first version)</span>}
          </li>
        ))}
      </ol>
    </details>
  );
}

const kindWords: Record<PlanChange['kind'], string> = { added: 'Added', removed: 'Removed', changed: 'Changed' };

export function Diff({ planId, from, to }: { planId: string; from: number; to: number }) {
  const diff = useGet<{ changes: PlanChange[] }>(`/api/v1/plans/${encodeURIComponent(planId)}/diff?from=${from}&to=${to}`);
  if (diff.loading && !diff.data) return <Loading what="Comparing" />;
  if (diff.error || !diff.data) return null;
  const groups = groupChanges(diff.data.changes);
  return (
    <div class="plan-diff" aria-label={`Changes from version ${from} to ${to}`}>
      {groups.length === 0 ? <p class="muted">No changes to the content.</p> : null}
      {groups.map((g) => (
        <div key={g.section}>
          <h5>{g.section}</h5>
          <ul>
            {g.changes.map((c) => (
              <li key={`${c.section}-${c.id}-${c.kind}`} class={`diff diff--${c.kind}`}>
                <strong>{kindWords[c.kind]}:</strong> {c.kind === 'added' ? c.after : c.kind === 'removed' ? <del>{c.before}</del> : (
                  <>
                    <del>{c.before}</del> → <ins>{c.after}</ins>
                  </>
                )}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}

function PlanEditor({ clientId, userId, plan, onSaved, onCancel }: { clientId: string; userId: string; plan: Plan | null; onSaved: () => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(plan, userId));
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const interventions = useGet<Items<InterventionInfo>>('/api/v1/interventions');
  const instruments = useGet<Items<InstrumentSummary>>('/api/v1/instruments');
  const team = useGet<Page<CareTeamMember>>(`/api/v1/clients/${encodeURIComponent(clientId)}/care-team`);
  useEffect(() => focusFirstError(errors), [errors]);
  const set = (next: Partial<Draft>) => setDraft((d) => ({ ...d, ...next }));
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    try {
      if (plan) await api.put<Plan>(`/api/v1/plans/${encodeURIComponent(plan.id)}`, { ...bodyOf(draft), version: plan.version });
      else await api.post<Plan>(`/api/v1/clients/${encodeURIComponent(clientId)}/plans`, bodyOf(draft));
      setErrors(noErrors);
      onSaved();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, shownFields(draft)) : noErrors);
    } finally {
      setBusy(false);
    }
  };
  const people = (team.data?.items ?? []).filter((m) => m.user_role !== 'front_desk' && m.user_role !== 'analyst' && m.user_role !== 'client');
  const staffOptions = people.map((m) => ({ value: m.user_id, label: m.display_name }));
  if (!staffOptions.some((o) => o.value === userId)) staffOptions.unshift({ value: userId, label: 'Me' });
  const measureOptions = [{ value: '', label: 'No measure' }, ...(instruments.data?.items ?? []).filter((i) => i.total).map((i) => ({ value: i.id, label: i.name }))];
  const items = (key: 'problems' | 'goals', label: string, hint: string) => (
    <fieldset>
      <legend>{label}</legend>
      <p class="hint">{hint}</p>
      {draft[key].map((x, i) => (
        <div class="plan-row" key={i}>
          <TextField name={`${key}[${i}].text`} idPrefix="plan" label={`${label.replace(/s$/, '')} ${i + 1}`} required value={x.text} onInput={(v) => set({ [key]: draft[key].map((y, j) => (j === i ? { ...y, text: v } : y)) })} error={errors.fields[`${key}[${i}].text`]} />
          <button type="button" class="button button--secondary button--small" onClick={() => set({ [key]: draft[key].filter((_, j) => j !== i) })} aria-label={`Remove ${label.replace(/s$/, '').toLowerCase()} ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" class="button button--secondary button--small" onClick={() => set({ [key]: [...draft[key], { id: '', text: '' }] })}>
        Add a {label.replace(/s$/, '').toLowerCase()}
      </button>
    </fieldset>
  );
  return (
    <form class="form plan-editor" onSubmit={submit} noValidate aria-labelledby="plan-editor-heading">
      <h3 id="plan-editor-heading">{plan ? `Change the plan (version ${plan.version + 1})` : 'Write a treatment plan'}</h3>
      <FormError message={errors.summary} />
      {items('problems', 'Problems', 'In clinical words.')}
      {errors.fields.goals ? <p class="field-error">{errors.fields.goals}</p> : null}
      {items('goals', 'Goals', 'In the client’s own words.')}
      <fieldset>
        <legend>Objectives</legend>
        <p class="hint">Measurable steps toward the goals, with a date; tie one to a measure to see progress from the results.</p>
        {draft.objectives.map((o, i) => {
          const change = (v: Partial<Draft['objectives'][number]>) => set({ objectives: draft.objectives.map((y, j) => (j === i ? { ...y, ...v } : y)) });
          const f = (k: string) => errors.fields[`objectives[${i}].${k}`];
          return (
            <div class="plan-objective" key={i}>
              <TextField name={`objectives[${i}].text`} idPrefix="plan" label={`Objective ${i + 1}`} required value={o.text} onInput={(v) => change({ text: v })} error={f('text')} />
              <TextField name={`objectives[${i}].target_on`} idPrefix="plan" label="By" type="date" required value={o.target_on} onInput={(v) => change({ target_on: v })} error={f('target_on')} />
              <SelectField name={`objectives[${i}].instrument_id`} idPrefix="plan" label="Measure" value={o.instrument_id} onChange={(v) => change({ instrument_id: v })} error={f('instrument_id')} options={measureOptions} />
              {o.instrument_id ? (
                <>
                  <SelectField name={`objectives[${i}].comparison`} idPrefix="plan" label="Score" required value={o.comparison} onChange={(v) => change({ comparison: v as Draft['objectives'][number]['comparison'] })} error={f('comparison')} options={[{ value: 'below', label: 'below' }, { value: 'at_most', label: 'at most' }, { value: 'at_least', label: 'at least' }]} />
                  <TextField name={`objectives[${i}].target`} idPrefix="plan" label="Target score" inputMode="decimal" required value={o.target} onInput={(v) => change({ target: v })} error={f('target')} />
                </>
              ) : null}
              <button type="button" class="button button--secondary button--small" onClick={() => set({ objectives: draft.objectives.filter((_, j) => j !== i) })} aria-label={`Remove objective ${i + 1}`}>
                Remove
              </button>
            </div>
          );
        })}
        <button type="button" class="button button--secondary button--small" onClick={() => set({ objectives: [...draft.objectives, { id: '', text: '', target_on: '', instrument_id: '', comparison: 'below', target: '' }] })}>
          Add an objective
        </button>
      </fieldset>
      <fieldset>
        <legend>Interventions</legend>
        {draft.interventions.map((iv, i) => {
          const change = (v: Partial<Draft['interventions'][number]>) => set({ interventions: draft.interventions.map((y, j) => (j === i ? { ...y, ...v } : y)) });
          const f = (k: string) => errors.fields[`interventions[${i}].${k}`];
          return (
            <div class="plan-intervention" key={i}>
              <SelectField name={`interventions[${i}].code`} idPrefix="plan" label={`Intervention ${i + 1}`} required value={iv.code} onChange={(v) => change({ code: v })} error={f('code')} options={(interventions.data?.items ?? [{ code: iv.code, name: iv.code, client_text: '' }]).map((x) => ({ value: x.code, label: x.name }))} />
              <TextField name={`interventions[${i}].detail`} idPrefix="plan" label="Details" value={iv.detail} onInput={(v) => change({ detail: v })} error={f('detail')} />
              <TextField name={`interventions[${i}].frequency`} idPrefix="plan" label="How often" required value={iv.frequency} onInput={(v) => change({ frequency: v })} error={f('frequency')} />
              <SelectField name={`interventions[${i}].delivered_by`} idPrefix="plan" label="Delivered by" required value={iv.delivered_by} onChange={(v) => change({ delivered_by: v })} error={f('delivered_by')} options={staffOptions} />
              <button type="button" class="button button--secondary button--small" onClick={() => set({ interventions: draft.interventions.filter((_, j) => j !== i) })} aria-label={`Remove intervention ${i + 1}`}>
                Remove
              </button>
            </div>
          );
        })}
        <button type="button" class="button button--secondary button--small" onClick={() => set({ interventions: [...draft.interventions, { id: '', code: 'cbt', detail: '', frequency: '', delivered_by: userId }] })}>
          Add an intervention
        </button>
      </fieldset>
      <TextField name="review_on" idPrefix="plan" label="Review on" type="date" required value={draft.review_on} onInput={(v) => set({ review_on: v })} error={errors.fields.review_on} hint={`A review task is set for you on this date (today is ${formatDate(today())}).`} />
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          {plan ? 'Save as a new version' : 'Save the plan'}
        </button>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Every field path the editor shows beside its control. */
function shownFields(d: Draft): string[] {
  const out = ['review_on', 'goals'];
  d.problems.forEach((_, i) => out.push(`problems[${i}].text`));
  d.goals.forEach((_, i) => out.push(`goals[${i}].text`));
  d.objectives.forEach((_, i) => ['text', 'target_on', 'instrument_id', 'comparison', 'target'].forEach((k) => out.push(`objectives[${i}].${k}`)));
  d.interventions.forEach((_, i) => ['code', 'detail', 'frequency', 'delivered_by'].forEach((k) => out.push(`interventions[${i}].${k}`)));
  return out;
}

// ---- discharge summary and relapse prevention plan

function Discharges({ clientId }: { clientId: string }) {
  const episodes = useGet<Items<Episode>>(`/api/v1/clients/${encodeURIComponent(clientId)}/episodes`);
  const discharged = (episodes.data?.items ?? []).filter((e) => e.stage === 'discharged');
  if (discharged.length === 0) return null;
  return (
    <section class="discharges" aria-labelledby="discharges-heading">
      <h3 id="discharges-heading">Discharge summaries</h3>
      {discharged.map((e) => (
        <DischargeCard key={e.id} episode={e} />
      ))}
    </section>
  );
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);

function DischargeCard({ episode }: { episode: Episode }) {
  const path = `/api/v1/episodes/${encodeURIComponent(episode.id)}/discharge`;
  const summary = useGet<Discharge>(path);
  const [editing, setEditing] = useState(false);
  const d = summary.data;
  const missing = summary.error?.status === 404;
  const headingId = `discharge-${episode.id}`;
  return (
    <section class="discharge" aria-labelledby={headingId}>
      <h4 id={headingId}>
        {episode.program}, discharged {episode.ended_on ? formatDate(episode.ended_on) : ''}
      </h4>
      {summary.loading && !d ? <Loading what="Loading the discharge summary" /> : null}
      {summary.error && !missing ? <ErrorMessage message={problemToFormErrors(summary.error.problem).summary} /> : null}
      {editing ? (
        <DischargeForm
          path={path}
          summary={d ?? null}
          onSaved={() => {
            setEditing(false);
            summary.reload();
          }}
          onCancel={() => setEditing(false)}
        />
      ) : null}
      {!editing && missing ? (
        <button type="button" class="button" onClick={() => setEditing(true)}>
          Write the discharge summary
        </button>
      ) : null}
      {!editing && d ? (
        <>
          <dl class="facts-list">
            <dt>Reason</dt>
            <dd>{d.reason}</dd>
            <dt>What helped</dt>
            <dd>{d.what_helped || '—'}</dd>
            <dt>Recommendations</dt>
            <dd>{d.recommendations || '—'}</dd>
          </dl>
          <h5>Outcome measures</h5>
          {d.outcomes.length === 0 ? <p class="muted">No measures during the episode.</p> : null}
          <ul>
            {d.outcomes.map((o) => (
              <li key={o.instrument_id}>
                {o.instrument_name}: {o.start} ({formatDate(o.start_on)}) → {o.end} ({formatDate(o.end_on)})
              </li>
            ))}
          </ul>
          <h5>Relapse prevention plan</h5>
          <RelapseView relapse={d.relapse} />
          <button type="button" class="button button--secondary" onClick={() => setEditing(true)}>
            Change the summary
          </button>
        </>
      ) : null}
    </section>
  );
}

export function RelapseView({ relapse }: { relapse: Discharge['relapse'] }) {
  const list = (title: string, items: string[]) => (
    <>
      <h6>{title}</h6>
      {items.length === 0 ? <p class="muted">—</p> : null}
      <ul>
        {items.map((x, i) => (
          <li key={i}>{x}</li>
        ))}
      </ul>
    </>
  );
  return (
    <div class="relapse">
      {list('Early warning signs', relapse.warning_signs)}
      {list('What helps', relapse.what_helps)}
      {list('Who to contact', relapse.contacts)}
      <h6>Coming back to the service</h6>
      <p>{relapse.coming_back}</p>
    </div>
  );
}

function DischargeForm({ path, summary, onSaved, onCancel }: { path: string; summary: Discharge | null; onSaved: () => void; onCancel: () => void }) {
  const [reason, setReason] = useState(summary?.reason ?? '');
  const [helped, setHelped] = useState(summary?.what_helped ?? '');
  const [recommendations, setRecommendations] = useState(summary?.recommendations ?? '');
  const [signs, setSigns] = useState(summary?.relapse.warning_signs.join('\n') ?? '');
  const [helps, setHelps] = useState(summary?.relapse.what_helps.join('\n') ?? '');
  const [contacts, setContacts] = useState(summary?.relapse.contacts.join('\n') ?? '');
  const [back, setBack] = useState(summary?.relapse.coming_back ?? '');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    try {
      await api.put<Discharge>(path, {
        version: summary?.version ?? 0,
        reason: reason.trim(),
        what_helped: helped.trim(),
        recommendations: recommendations.trim(),
        relapse: { warning_signs: lines(signs), what_helps: lines(helps), contacts: lines(contacts), coming_back: back.trim() },
      });
      setErrors(noErrors);
      onSaved();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['reason', 'what_helped', 'recommendations', 'relapse.warning_signs', 'relapse.what_helps', 'relapse.contacts', 'relapse.coming_back']) : noErrors);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form discharge-form" onSubmit={submit} noValidate aria-label="Discharge summary">
      <FormError message={errors.summary} />
      <TextArea name="reason" idPrefix="discharge" label="Reason for discharge" required value={reason} onInput={setReason} error={errors.fields.reason} />
      <TextArea name="what_helped" idPrefix="discharge" label="What helped" value={helped} onInput={setHelped} error={errors.fields.what_helped} />
      <TextArea name="recommendations" idPrefix="discharge" label="Recommendations" value={recommendations} onInput={setRecommendations} error={errors.fields.recommendations} />
      <p class="hint">The outcome measures at the start and end of the episode are filled in from the results.</p>
      <fieldset>
        <legend>Relapse prevention plan (the client keeps this in the portal)</legend>
        <TextArea name="relapse.warning_signs" idPrefix="discharge" label="Early warning signs" hint="One per line." required value={signs} onInput={setSigns} error={errors.fields['relapse.warning_signs']} />
        <TextArea name="relapse.what_helps" idPrefix="discharge" label="What helps" hint="One per line." value={helps} onInput={setHelps} error={errors.fields['relapse.what_helps']} />
        <TextArea name="relapse.contacts" idPrefix="discharge" label="Who to contact" hint="One per line, with how to reach them." value={contacts} onInput={setContacts} error={errors.fields['relapse.contacts']} />
        <TextArea name="relapse.coming_back" idPrefix="discharge" label="How to come back to the service" required value={back} onInput={setBack} error={errors.fields['relapse.coming_back']} />
      </fieldset>
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          Save the discharge summary
        </button>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
