// The chart's crisis parts: the risk banner at the top while the client has an active alert,
// "Raise a concern", and the Safety plan tab (read, edit, versions, print).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { Dialog } from '../components/Dialog';
import { FormError, SelectField, TextArea } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading } from '../components/Page';
import { SafetyPlanEditor, SafetyPlanView, versionWords } from '../components/SafetyPlan';
import { alertLevels, completeSections, levelTone, levelWords, stepName } from '../crisis';
import { onEvent } from '../events';
import { formatDateTime } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { Alert, Items, Page, SafetyPlan, SafetyPlanVersion } from '../types';
import { useGet } from '../useApi';
import { focusFirstError } from './forms';

/** Reloads when a crisis event is about this client. */
function useClientCrisisReload(clientId: string, reload: () => void) {
  useEffect(() => {
    const mine = (d: Record<string, unknown>) => d.client_id === clientId && reload();
    const offs = [onEvent('crisis.alert', mine), onEvent('crisis.updated', mine)];
    return () => offs.forEach((off) => off());
  }, [clientId]);
}

/** The chart's risk banner: hidden (but present, for the layout) while nothing is active. */
export function RiskBanner({ clientId, reloadKey = 0 }: { clientId: string; reloadKey?: number }) {
  const alerts = useGet<Page<Alert>>(`/api/v1/clients/${encodeURIComponent(clientId)}/alerts?status=active`);
  useClientCrisisReload(clientId, alerts.reload);
  useEffect(() => {
    if (reloadKey) alerts.reload();
  }, [reloadKey]);
  const active = alerts.data?.items.filter((a) => a.status !== 'resolved') ?? [];
  const top = active[0];
  return (
    <div role="status" class={`risk-banner${top ? ` risk-banner--${levelTone(top.level)}` : ''}`} hidden={!top}>
      {active.map((a) => (
        <p key={a.id} class="risk-banner-line">
          <strong>
            {levelWords(a.level)} — {a.status === 'open' ? 'alert open' : 'alert acknowledged'}:
          </strong>{' '}
          {a.reason}{' '}
          <span class="risk-banner-who">
            {a.status === 'open' ? `Not yet acknowledged; now with the ${stepName(a.step_name)}.` : a.acknowledged_by ? `Acknowledged by ${a.acknowledged_by.name}.` : 'Acknowledged.'}
          </span>{' '}
          <Link href={`/alerts/${encodeURIComponent(a.id)}`}>Open the alert</Link>
        </p>
      ))}
    </div>
  );
}

/** "Raise a concern": a clinician opens an alert by hand (or adds to the open one). */
export function RaiseConcern({ clientId, onRaised }: { clientId: string; onRaised: () => void }) {
  const [open, setOpen] = useState(false);
  const [level, setLevel] = useState('moderate');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [said, setSaid] = useState('');
  useEffect(() => focusFirstError(errors), [errors]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!reason.trim()) {
      setErrors({ summary: 'Please correct the marked field.', fields: { reason: 'Say what worries you, in a few words.' } });
      return;
    }
    setBusy(true);
    try {
      const a = await api.post<Alert>(`/api/v1/clients/${encodeURIComponent(clientId)}/alerts`, { level, reason: reason.trim() });
      setErrors(noErrors);
      setOpen(false);
      setReason('');
      setSaid(`Concern raised: ${levelWords(a.level).toLowerCase()} alert ${a.status === 'open' ? 'open' : a.status}. The care team has been told.`);
      onRaised();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['level', 'reason']) : noErrors);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" class="button button--secondary button--small raise-concern" onClick={() => setOpen(true)}>
        Raise a concern
      </button>
      {said ? (
        <p class="notice raise-said" role="status">
          {said}
        </p>
      ) : null}
      <Dialog open={open} title="Raise a concern" onClose={() => setOpen(false)} id="raise-concern">
        <form onSubmit={submit} noValidate class="form">
          <p>This opens a crisis alert (or adds to the one already open) and tells the people in the escalation chain, starting with the primary clinician.</p>
          <FormError message={errors.summary} />
          <SelectField
            name="level"
            idPrefix="concern"
            label="How urgent?"
            required
            value={level}
            onChange={setLevel}
            error={errors.fields.level}
            options={alertLevels.map((l) => ({ value: l, label: levelWords(l) }))}
          />
          <TextArea name="reason" idPrefix="concern" label="What worries you?" hint="Plain words the person who answers will read first." required rows={3} value={reason} onInput={setReason} error={errors.fields.reason} />
          <div class="actions">
            <button type="submit" class="button" disabled={busy}>
              Raise the concern
            </button>
            <button type="button" class="button button--secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

/** The Safety plan tab. */
export function SafetyPlanTab({ clientId, clientName }: { clientId: string; clientName: string }) {
  const base = `/api/v1/clients/${encodeURIComponent(clientId)}/safety-plan`;
  const plan = useGet<SafetyPlan>(base);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState('');
  const [viewing, setViewing] = useState<SafetyPlanVersion | null>(null);
  const [versionsShown, setVersionsShown] = useState(false);
  const none = plan.error?.status === 404;

  if (plan.loading && !plan.data && !plan.error) return <Loading what="Loading the safety plan" />;
  if (plan.error && !none) return <ErrorMessage message={problemToFormErrors(plan.error.problem).summary} />;
  const current = none ? null : plan.data;

  if (editing) {
    return (
      <SafetyPlanEditor
        plan={current}
        wording="staff"
        save={(version, sections) => api.put<SafetyPlan>(base, { version, sections })}
        latest={() => api.get<SafetyPlan>(base)}
        onSaved={(p) => {
          setEditing(false);
          setSaved(`Safety plan saved (version ${p.version}).`);
          plan.reload();
        }}
        onCancel={() => setEditing(false)}
      />
    );
  }

  return (
    <div class="safety-plan">
      {saved ? (
        <p class="notice" role="status">
          {saved}
        </p>
      ) : null}
      <p class="print-only print-title">
        Safety plan — {clientName}
        {current ? ` — ${versionWords(current)}` : ''}
      </p>
      {current ? (
        <>
          <p class="muted no-print">{versionWords(current)}.</p>
          <SafetyPlanView sections={completeSections(current.sections)} wording="staff" />
        </>
      ) : (
        <p>No safety plan yet. Write it together with the client: their own words work best.</p>
      )}
      <div class="actions no-print">
        <button
          type="button"
          class="button"
          onClick={() => {
            setSaved('');
            setEditing(true);
          }}
        >
          {current ? 'Edit the plan' : 'Write a safety plan'}
        </button>
        {current ? (
          <>
            <button type="button" class="button button--secondary" onClick={() => window.print()}>
              Print
            </button>
            <button type="button" class="button button--secondary" aria-expanded={versionsShown} aria-controls="plan-versions" onClick={() => setVersionsShown(!versionsShown)}>
              {versionsShown ? 'Hide earlier versions' : 'Earlier versions'}
            </button>
          </>
        ) : null}
      </div>
      {versionsShown ? <Versions base={base} onView={setViewing} /> : null}
      <Dialog open={!!viewing} title={viewing ? `Version ${viewing.version}` : 'Version'} onClose={() => setViewing(null)} id="plan-version">
        {viewing ? <VersionView base={base} version={viewing} onClose={() => setViewing(null)} /> : null}
      </Dialog>
    </div>
  );
}

function Versions({ base, onView }: { base: string; onView: (v: SafetyPlanVersion) => void }) {
  const versions = useGet<Items<SafetyPlanVersion>>(`${base}/versions`);
  const items = [...(versions.data?.items ?? [])].sort((a, b) => b.version - a.version);
  return (
    <section id="plan-versions" class="section no-print" aria-labelledby="plan-versions-heading">
      <h3 id="plan-versions-heading">Versions</h3>
      {versions.loading && !versions.data ? <Loading what="Loading versions" /> : null}
      {versions.error ? <ErrorMessage message={problemToFormErrors(versions.error.problem).summary} /> : null}
      {items.length ? (
        <ul class="plan-versions">
          {items.map((v) => (
            <li key={v.version}>
              <span>
                Version {v.version}
                {v.updated_by?.name ? `, ${v.updated_by.name}` : ''}
                {v.updated_at ? `, ${formatDateTime(v.updated_at)}` : ''}
              </span>
              <button type="button" class="button button--secondary button--small" onClick={() => onView(v)} aria-label={`View version ${v.version}`}>
                View
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function VersionView({ base, version, onClose }: { base: string; version: SafetyPlanVersion; onClose: () => void }) {
  const one = useGet<SafetyPlan>(`${base}/versions/${version.version}`);
  return (
    <>
      {one.loading && !one.data ? <Loading what="Loading the version" /> : null}
      {one.error ? <ErrorMessage message={problemToFormErrors(one.error.problem).summary} /> : null}
      {one.data ? (
        <>
          <p class="muted">{versionWords(one.data)}.</p>
          <SafetyPlanView sections={completeSections(one.data.sections)} wording="staff" />
        </>
      ) : null}
      <div class="actions">
        <button type="button" class="button button--secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </>
  );
}
