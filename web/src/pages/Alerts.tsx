// The alert board (/alerts) and one alert (/alerts/:id): who must answer, by when, what
// happened so far, and the acknowledge and resolve actions.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, query } from '../api';
import { alertChanged } from '../alertStore';
import { useNow } from '../components/AlertBanner';
import { Dialog } from '../components/Dialog';
import { FormError, SelectField, TextArea } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { checkResolve, deadlineWords, levelTone, levelWords, outcomeNeedsNote, outcomeWords, resolveOutcomes, sortAlerts, stepName, telHref, timelineWords } from '../crisis';
import { onEvent } from '../events';
import { formatDateTime, formatDateTimeSeconds, humanize } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { Alert, AlertContact, Page } from '../types';
import { useGet } from '../useApi';
import { focusFirstError } from './forms';

/** Reloads `reload` when a crisis event concerns `alertId` (any alert when omitted). */
function useCrisisReload(reload: () => void, alertId?: string) {
  useEffect(() => {
    const maybe = (d: Record<string, unknown>) => {
      if (!alertId || d.alert_id === alertId) reload();
    };
    const offs = [onEvent('crisis.alert', maybe), onEvent('crisis.updated', maybe), onEvent('crisis.delivery_failed', maybe)];
    return () => offs.forEach((off) => off());
  }, [alertId]);
}

export function LevelTag({ level }: { level: string }) {
  return <span class={`level-tag level-tag--${levelTone(level)}`}>{levelWords(level)}</span>;
}

const statusWords: Record<string, string> = { open: 'Open', acknowledged: 'Acknowledged', resolved: 'Resolved' };

export function AlertBoardPage({ status }: { status: string | null }) {
  const resolved = status === 'resolved';
  const alerts = useGet<Page<Alert>>(`/api/v1/alerts${query({ status: resolved ? 'resolved' : 'active', limit: 100 })}`);
  useCrisisReload(alerts.reload);
  const now = useNow(15_000);
  const items = sortAlerts(alerts.data?.items ?? []);

  return (
    <>
      <PageHeading title="Alerts" />
      <p>Crisis alerts for your clients and the alerts you were told about, most urgent first. Someone must acknowledge each one before its deadline, or it goes to the next person in the chain.</p>
      <nav aria-label="Which alerts" class="filter-tabs">
        <ul>
          <li>
            <Link href="/alerts" aria-current={resolved ? undefined : 'page'}>
              Active
            </Link>
          </li>
          <li>
            <Link href="/alerts?status=resolved" aria-current={resolved ? 'page' : undefined}>
              Resolved
            </Link>
          </li>
        </ul>
      </nav>
      {alerts.loading && !alerts.data ? <Loading what="Loading alerts" /> : null}
      {alerts.error ? <ErrorMessage message={problemToFormErrors(alerts.error.problem).summary} /> : null}
      {alerts.data && items.length === 0 ? <p class="empty">{resolved ? 'No resolved alerts yet.' : 'No active alerts. Nothing needs an answer now.'}</p> : null}
      {items.length ? (
        <div class="table-wrap" role="region" aria-label="Alerts (table)" tabIndex={0}>
          <table class="table alert-board">
            <caption class="visually-hidden">{resolved ? 'Resolved alerts' : 'Active alerts, most urgent first'}</caption>
            <thead>
              <tr>
                <th scope="col">Level</th>
                <th scope="col">Client</th>
                <th scope="col">Reason</th>
                <th scope="col">Status</th>
                <th scope="col">With</th>
                <th scope="col">{resolved ? 'Resolved' : 'Deadline'}</th>
                <th scope="col">Acknowledged by</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => {
                const due = deadlineWords(a.deadline_at, now);
                return (
                  <tr key={a.id} class={a.status === 'open' && due.overdue ? 'overdue' : undefined} data-alert-id={a.id}>
                    <td>
                      <LevelTag level={a.level} />
                    </td>
                    <td>
                      <Link href={`/clients/${encodeURIComponent(a.client_id)}`}>{a.client_name || a.client_id}</Link>
                    </td>
                    <td>{a.reason}</td>
                    <td>{statusWords[a.status] ?? humanize(a.status)}</td>
                    <td>{a.status === 'open' ? humanize(stepName(a.step_name)) : <span class="muted">—</span>}</td>
                    <td>
                      {a.status === 'resolved' ? (
                        a.resolved_at ? formatDateTime(a.resolved_at) : '—'
                      ) : a.status === 'open' ? (
                        <span class={due.overdue ? 'due due--overdue' : 'due'}>{due.text}</span>
                      ) : (
                        <span class="muted">Acknowledged</span>
                      )}
                    </td>
                    <td>{a.acknowledged_by?.name ?? <span class="muted">Not yet</span>}</td>
                    <td>
                      <Link href={`/alerts/${encodeURIComponent(a.id)}`} class="button button--secondary button--small" aria-label={`Open the alert for ${a.client_name || a.client_id}`}>
                        Open
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}

export function AlertPage({ id }: { id: string }) {
  const alert = useGet<Alert>(`/api/v1/alerts/${encodeURIComponent(id)}`);
  useCrisisReload(alert.reload, id);
  const now = useNow(1000);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState('');
  const [resolving, setResolving] = useState(false);

  if (alert.loading && !alert.data) return <Loading what="Opening the alert" />;
  if (alert.error || !alert.data) {
    return (
      <>
        <PageHeading title="Alert" />
        <ErrorMessage message={alert.error ? problemToFormErrors(alert.error.problem).summary : 'This alert could not be loaded.'} />
        <p>
          <Link href="/alerts">Back to the alert board</Link>
        </p>
      </>
    );
  }

  const a = alert.data;
  const due = deadlineWords(a.deadline_at, now);
  const acknowledge = async () => {
    setBusy(true);
    setActionError('');
    try {
      alertChanged(await api.post<Alert>(`/api/v1/alerts/${encodeURIComponent(a.id)}/acknowledge`, {}));
    } catch (e) {
      setActionError(
        e instanceof ApiError && e.status === 409 ? 'Someone has already acknowledged or resolved this alert.' : e instanceof ApiError ? problemToFormErrors(e.problem).summary : 'The alert could not be acknowledged.',
      );
    } finally {
      setBusy(false);
      alert.reload();
    }
  };

  const facts: [string, ComponentChildren][] = [
    ['Status', statusWords[a.status] ?? humanize(a.status)],
    ['Reason', a.reason],
    ['Opened', formatDateTime(a.opened_at)],
  ];
  if (a.status === 'open') {
    facts.push(['Deadline', <span class={due.overdue ? 'due due--overdue' : undefined}>{`${formatDateTime(a.deadline_at)} (${due.text})`}</span>]);
    facts.push(['Now with', humanize(stepName(a.step_name))]);
  }
  if (a.acknowledged_by) facts.push(['Acknowledged', `${a.acknowledged_by.name}${a.acknowledged_at ? `, ${formatDateTime(a.acknowledged_at)}` : ''}`]);
  if (a.status === 'resolved') {
    facts.push(['Resolved', [a.resolved_by?.name, a.resolved_at ? formatDateTime(a.resolved_at) : ''].filter(Boolean).join(', ') || 'Yes']);
    facts.push(['Outcome', outcomeWords(a.outcome)]);
  }
  if (a.note) facts.push(['Note', a.note]);
  if (a.notified?.length) facts.push(['Told so far', a.notified.map((p) => p.name).join(', ')]);
  if (a.deliveries?.failed) facts.push(['Failed deliveries', String(a.deliveries.failed)]);

  return (
    <>
      <p class="back">
        <Link href="/alerts">← Alert board</Link>
      </p>
      <div class={`alert-head alert-head--${levelTone(a.level)}`}>
        <PageHeading title={`${levelWords(a.level)}: ${a.client_name || 'client'}`}>
          <LevelTag level={a.level} /> {a.client_name || 'Client'}
        </PageHeading>
        <p class="alert-head-links">
          <Link href={`/clients/${encodeURIComponent(a.client_id)}`}>Open the chart</Link> · <Link href={`/clients/${encodeURIComponent(a.client_id)}?tab=safety-plan`}>Safety plan</Link>
        </p>
      </div>
      {actionError ? <ErrorMessage message={actionError} /> : null}
      <div class="actions alert-actions">
        {a.status === 'open' ? (
          <button type="button" class="button" onClick={() => void acknowledge()} disabled={busy}>
            Acknowledge
          </button>
        ) : null}
        {a.status !== 'resolved' ? (
          <button type="button" class={a.status === 'open' ? 'button button--secondary' : 'button'} onClick={() => setResolving(true)}>
            Resolve…
          </button>
        ) : null}
      </div>
      <dl class="details alert-facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>

      {a.contact ? <HowToReach contact={a.contact} /> : null}

      {a.signals?.length ? (
        <section class="section" aria-labelledby="signals-heading">
          <h2 id="signals-heading">Signals</h2>
          <ul class="signal-list">
            {a.signals.map((s) => (
              <li key={s.id}>
                <LevelTag level={s.level} /> {s.reason} <span class="muted">— {signalSource[s.source] ?? humanize(s.source)}, {formatDateTime(s.at)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section class="section" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        {a.timeline?.length ? (
          <ol class="timeline">
            {a.timeline.map((e, n) => (
              <li key={n} class={`timeline-${e.kind}`}>
                <span class="timeline-when">{formatDateTimeSeconds(e.at)}</span>
                <span class="timeline-what">{timelineWords(e)}</span>
                {e.detail && e.detail !== e.kind ? <span class="timeline-detail muted">{e.detail}</span> : null}
              </li>
            ))}
          </ol>
        ) : (
          <p class="muted">Nothing recorded yet.</p>
        )}
      </section>

      <ResolveDialog
        alert={a}
        open={resolving}
        onClose={() => setResolving(false)}
        onResolved={(r) => {
          setResolving(false);
          alertChanged(r);
          alert.reload();
        }}
      />
    </>
  );
}

/** The client's phone and emergency contact, with what they agreed to be contacted by. */
function HowToReach({ contact: c }: { contact: AlertContact }) {
  const ways = [c.consent_phone ? 'calls' : '', c.consent_voicemail ? 'voicemail' : '', c.consent_sms ? 'text messages' : ''].filter(Boolean);
  const ec = c.emergency_contact;
  return (
    <section class="section" aria-labelledby="reach-heading">
      <h2 id="reach-heading">How to reach them</h2>
      <dl class="details">
        <div>
          <dt>Phone</dt>
          <dd>{c.phone ? <a href={telHref(c.phone)}>{c.phone}</a> : <span class="muted">Not recorded</span>}</dd>
        </div>
        <div>
          <dt>Agreed to</dt>
          <dd>{ways.length ? ways.join(', ') : <span class="muted">Nothing recorded</span>}</dd>
        </div>
        <div>
          <dt>Emergency contact</dt>
          <dd>
            {ec?.name ? (
              <>
                {ec.name}
                {ec.relationship ? ` (${ec.relationship})` : ''}
                {ec.phone ? (
                  <>
                    {' '}
                    — <a href={telHref(ec.phone)}>{ec.phone}</a>
                  </>
                ) : null}
              </>
            ) : (
              <span class="muted">Not recorded</span>
            )}
          </dd>
        </div>
      </dl>
    </section>
  );
}

const signalSource: Record<string, string> = {
  assessment: 'from a questionnaire',
  checkin: 'from a check-in',
  message: 'from a message',
  help_now: '“I need help now” in the portal',
  clinician: 'raised by a clinician',
};

interface ResolveProps {
  alert: Alert;
  open: boolean;
  onClose: () => void;
  onResolved: (a: Alert) => void;
}

/** Outcome and note; the note is required for "other" and "no contact possible". */
export function ResolveDialog({ alert, open, onClose, onResolved }: ResolveProps) {
  const [outcome, setOutcome] = useState('');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const mine = checkResolve({ outcome, note });
    if (mine.summary) {
      setErrors(mine);
      return;
    }
    setBusy(true);
    try {
      const body: Record<string, string> = { outcome };
      if (note.trim()) body.note = note.trim();
      onResolved(await api.post<Alert>(`/api/v1/alerts/${encodeURIComponent(alert.id)}/resolve`, body));
      setErrors(noErrors);
      setOutcome('');
      setNote('');
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['outcome', 'note']) : noErrors);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} title={`Resolve the alert for ${alert.client_name || 'this client'}`} onClose={onClose} id="resolve">
      <form onSubmit={submit} noValidate class="form">
        <FormError message={errors.summary} />
        <SelectField
          name="outcome"
          idPrefix="resolve"
          label="What happened?"
          required
          value={outcome}
          onChange={(v) => {
            setOutcome(v);
            if (errors.fields.outcome) setErrors({ ...errors, fields: { ...errors.fields, outcome: '' } });
          }}
          error={errors.fields.outcome}
          options={[{ value: '', label: 'Choose…' }, ...resolveOutcomes.map((o) => ({ value: o.value, label: o.label }))]}
        />
        <TextArea
          name="note"
          idPrefix="resolve"
          label="Note"
          hint={outcomeNeedsNote(outcome) ? 'Needed with this outcome.' : 'What was done, and anything the next person should know.'}
          required={outcomeNeedsNote(outcome)}
          rows={4}
          value={note}
          onInput={setNote}
          error={errors.fields.note}
        />
        <p class="muted">Resolving schedules caring-contact follow-ups with the client.</p>
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>
            Resolve alert
          </button>
          <button type="button" class="button button--secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
