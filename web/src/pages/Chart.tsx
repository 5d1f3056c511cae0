import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, query } from '../api';
import { Dialog } from '../components/Dialog';
import { FormError, SelectField, TextArea } from '../components/Field';
import { StaffPicker } from '../components/StaffPicker';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { onEvent } from '../events';
import { ageOn, formatDate, formatDateTime, formatDateTimeSeconds, fullName, humanize, preferredNote } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import { chartTab, chartTabs } from '../routes';
import { mayBreakGlass } from '../session';
import { careTeamRoles, type AccessEntry, type CareTeamMember, type Client, type Notice, type Page, type StaffMember, type User } from '../types';
import { useGet } from '../useApi';
import { focusFirstError } from './forms';
import { RaiseConcern, RiskBanner, SafetyPlanTab } from './ChartCrisis';
import { DiagnosesTab } from './ChartDiagnoses';
import { EpisodesTab } from './ChartEpisodes';
import { PlanTab } from './ChartPlan';
import { EducationSection } from './ChartEducation';
import { AmendmentsSection } from './ChartAmendments';
import { MessagesTab } from './ChartMessages';
import { PortalAccessSection } from './ChartPortalAccess';
import { SessionsTab } from './ChartSessions';
import { NotesTab } from './ChartNotes';
import { MeasuresTab } from './Measures';
import { CheckInsTab } from './ChartCheckIns';

interface Props {
  id: string;
  user: User;
  tab: string | null;
}

export function ChartPage({ id, user, tab }: Props) {
  const base = `/api/v1/clients/${encodeURIComponent(id)}`;
  const client = useGet<Client>(base);
  const active = chartTab(tab);

  // Someone else changed this record: show the new version.
  useEffect(() => onEvent('client.updated', (d) => d.client_id === id && client.reload()), [id]);

  if (client.loading && !client.data) return <Loading what="Opening the record" />;
  if (client.error?.status === 404) return <NoAccess id={id} user={user} onOpened={client.reload} />;
  if (client.error || !client.data) {
    return (
      <>
        <PageHeading title="Client record" />
        <ErrorMessage message={client.error ? problemToFormErrors(client.error.problem).summary : 'This record could not be loaded.'} />
      </>
    );
  }

  const c = client.data;
  return (
    <>
      <ChartHeader client={c} />
      <nav aria-label="Chart sections" class="tabs">
        <ul>
          {chartTabs.map((t) => (
            <li key={t.id}>
              <Link href={`/clients/${encodeURIComponent(id)}${t.id === 'overview' ? '' : `?tab=${t.id}`}`} aria-current={t.id === active ? 'page' : undefined}>
                {t.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <section class="tab-panel" aria-labelledby="tab-heading">
        <h2 id="tab-heading">{chartTabs.find((t) => t.id === active)!.label}</h2>
        {active === 'overview' ? <Overview client={c} user={user} base={base} /> : null}
        {active === 'measures' ? <MeasuresTab clientId={id} /> : null}
        {active === 'safety-plan' ? <SafetyPlanTab clientId={id} clientName={fullName(c)} /> : null}
        {active === 'episodes' ? <EpisodesTab clientId={id} /> : null}
        {active === 'diagnoses' ? <DiagnosesTab clientId={id} /> : null}
        {active === 'sessions' ? <SessionsTab clientId={id} /> : null}
        {active === 'sessions' ? <NotesTab clientId={id} userId={user.id} /> : null}
        {active === 'plan' ? <PlanTab clientId={id} userId={user.id} /> : null}
        {active === 'plan' ? <EducationSection clientId={id} /> : null}
        {active === 'access-log' ? <AccessLog base={base} user={user} /> : null}
        {active === 'check-ins' ? <CheckInsTab clientId={id} /> : null}
        {active === 'access-log' ? <AmendmentsSection clientId={id} /> : null}
        {active === 'messages' ? <MessagesTab clientId={id} /> : null}
      </section>
    </>
  );
}

function ChartHeader({ client: c }: { client: Client }) {
  const preferred = preferredNote(c);
  const age = ageOn(c.date_of_birth);
  const [raised, setRaised] = useState(0);
  return (
    <div class="chart-header">
      <div class="chart-title">
        <PageHeading title={fullName(c)} />
        <span class="chart-actions">
          <RaiseConcern clientId={c.id} onRaised={() => setRaised((n) => n + 1)} />
          <Link href={`/clients/${encodeURIComponent(c.id)}/edit`} class="button button--secondary button--small">
            Edit details
          </Link>
        </span>
      </div>
      <ul class="facts" aria-label="Key facts">
        {preferred ? <li>Prefers “{preferred}”</li> : null}
        {c.pronouns ? <li>{c.pronouns}</li> : null}
        {age !== null ? <li>{age} years old</li> : null}
        <li>
          MRN <span class="mono">{c.mrn}</span>
        </li>
        {c.status === 'archived' ? <li class="tag">Archived</li> : null}
      </ul>
      <RiskBanner clientId={c.id} reloadKey={raised} />
    </div>
  );
}

function Overview({ client: c, user, base }: { client: Client; user: User; base: string }) {
  const notices = useGet<Page<Notice>>(`${base}/notices`);
  const details: [string, string | null][] = [
    ['Date of birth', formatDate(c.date_of_birth)],
    ['Gender identity', c.gender_identity],
    ['Preferred language', c.language ? `${c.language}${c.interpreter_needed ? ' (needs an interpreter)' : ''}` : null],
    ['Phone', c.phone],
    ['Email', c.email],
    ['Registered', formatDateTime(c.created_at)],
    ['Last changed', formatDateTime(c.updated_at)],
  ];
  return (
    <>
      {notices.data && notices.data.items.length > 0 ? (
        <div class="notices">
          <h3>Notices</h3>
          <ul>
            {notices.data.items.map((n) => (
              <li key={n.id}>
                {n.kind === 'break_glass'
                  ? `${n.actor_name} opened this record with break-the-glass on ${formatDateTime(n.created_at)}${n.expires_at ? `, with access until ${formatDateTime(n.expires_at)}` : ''}.`
                  : `${humanize(n.kind)} by ${n.actor_name}, ${formatDateTime(n.created_at)}.`}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <h3>Details</h3>
      <dl class="details">
        {details.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v ?? <span class="muted">Not recorded</span>}</dd>
          </div>
        ))}
      </dl>
      <CareTeam base={base} user={user} />
      <PortalAccessSection client={c} />
    </>
  );
}

function CareTeam({ base }: { base: string; user: User }) {
  const team = useGet<Page<CareTeamMember>>(`${base}/care-team`);
  const [chosen, setChosen] = useState<StaffMember | null>(null);
  const [role, setRole] = useState<string>('clinician');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [added, setAdded] = useState('');
  const [removeError, setRemoveError] = useState('');
  useEffect(() => focusFirstError(errors), [errors]);

  const add = async (e: Event) => {
    e.preventDefault();
    setAdded('');
    if (!chosen) {
      setErrors({ summary: 'Choose a colleague to add.', fields: { user_id: 'Find a colleague by name and choose them from the list.' } });
      return;
    }
    setBusy(true);
    try {
      await api.post(`${base}/care-team`, { user_id: chosen.id, role });
      setErrors(noErrors);
      setAdded(`${chosen.display_name} added to the care team as ${humanize(role).toLowerCase()}.`);
      setChosen(null);
      team.reload();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['user_id', 'role']) : noErrors);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (member: CareTeamMember) => {
    setRemoveError('');
    try {
      await api.delete(`${base}/care-team/${encodeURIComponent(member.user_id)}`);
      team.reload();
    } catch (err) {
      setRemoveError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'The member could not be removed.');
    }
  };

  const onTeam = new Set(team.data?.items.map((m) => m.user_id));

  return (
    <section aria-labelledby="care-team-heading" class="section">
      <h3 id="care-team-heading">Care team</h3>
      {team.loading && !team.data ? <Loading what="Loading the care team" /> : null}
      {team.error ? <ErrorMessage message={problemToFormErrors(team.error.problem).summary} /> : null}
      {removeError ? <ErrorMessage message={removeError} /> : null}
      {team.data ? (
        team.data.items.length === 0 ? (
          <p>No one is on this client’s care team yet.</p>
        ) : (
          <ul class="team">
            {team.data.items.map((m) => (
              <li key={m.user_id}>
                <span>
                  <strong>{m.display_name}</strong> <span class="muted">({m.username})</span> — {humanize(m.role)}
                </span>
                <button type="button" class="button button--secondary button--small" onClick={() => void remove(m)} aria-label={`Remove ${m.display_name} from the care team`}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )
      ) : null}
      <form onSubmit={add} noValidate class="form form--inline" aria-labelledby="add-member-heading">
        <h4 id="add-member-heading">Add to the care team</h4>
        {added ? (
          <p class="notice" role="status">
            {added}
          </p>
        ) : null}
        <FormError message={errors.summary} />
        <StaffPicker
          id="team-user_id"
          label="Find a colleague"
          hint="Type part of their name or username, then choose them from the list."
          error={errors.fields.user_id}
          chosen={chosen}
          onChoose={(m) => {
            setChosen(m);
            setAdded('');
            if (m) setErrors(noErrors);
          }}
          exclude={onTeam}
        />
        <SelectField
          name="role"
          label="Role on the team"
          idPrefix="team"
          required
          value={role}
          onChange={setRole}
          error={errors.fields.role}
          options={careTeamRoles.map((r) => ({ value: r, label: humanize(r) }))}
        />
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>
            Add to the care team
          </button>
        </div>
      </form>
    </section>
  );
}

const actionText: Record<string, string> = {
  list: 'Listed (search or caseload)',
  read: 'Opened',
  create: 'Created',
  update: 'Changed',
  archive: 'Archived',
  restore: 'Restored',
  break_glass: 'Break-the-glass',
  add_member: 'Added a team member',
  remove_member: 'Removed a team member',
};

/** 'read' of 'care_team' → 'Opened (care team)'; denied attempts say so. */
export function describeAction(e: Pick<AccessEntry, 'action' | 'resource_kind' | 'outcome'>): string {
  let text = actionText[e.action] ?? humanize(e.action);
  const implied = e.action === 'add_member' || e.action === 'remove_member';
  if (e.resource_kind && e.resource_kind !== 'client' && !implied) text += ` (${humanize(e.resource_kind).toLowerCase()})`;
  if (e.outcome && e.outcome !== 'ok') text += ` — ${e.outcome}`;
  return text;
}

function AccessLog({ base, user }: { base: string; user: User }) {
  const log = useGet<Page<AccessEntry>>(`${base}/access-log${query({ limit: 50 })}`);
  const team = useGet<Page<CareTeamMember>>(`${base}/care-team`);
  const names = new Map<string, string>(team.data?.items.map((m) => [m.user_id, m.display_name]));
  names.set(user.id, `${user.display_name} (you)`);

  if (log.loading && !log.data) return <Loading what="Loading the access log" />;
  if (log.error) return <ErrorMessage message={problemToFormErrors(log.error.problem).summary} />;
  const items = log.data?.items ?? [];
  return (
    <>
      <p>Everyone who opened, changed or listed this record, newest first. Tend records every access; this list cannot be edited.</p>
      {items.length === 0 ? (
        <p>No one has opened this record yet.</p>
      ) : (
        <div class="table-wrap" role="region" aria-label="Access log (table)" tabIndex={0}>
          <table class="table access-log">
            <caption class="visually-hidden">Access log, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Role</th>
                <th scope="col">Action</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.seq} class={e.outcome !== 'ok' ? 'denied' : undefined}>
                  <td>{formatDateTimeSeconds(e.at)}</td>
                  <td>{e.actor_id === user.id ? names.get(user.id) : e.actor_name || names.get(e.actor_id) || <span class="mono">{e.actor_id}</span>}</td>
                  <td>{humanize(e.actor_role)}</td>
                  <td>{describeAction(e)}</td>
                  <td>{e.reason || <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {log.data?.next_cursor ? <p class="muted">Showing the latest {items.length} entries.</p> : null}
    </>
  );
}

function NoAccess({ id, user, onOpened }: { id: string; user: User; onOpened: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const canBreakGlass = mayBreakGlass(user);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api.post(`/api/v1/clients/${encodeURIComponent(id)}/break-glass`, { reason: reason.trim() });
      setOpen(false);
      onOpened();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['reason']) : noErrors);
      window.setTimeout(() => document.querySelector<HTMLElement>('#break-glass [aria-invalid="true"]')?.focus(), 0);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeading title="No record to show" />
      <p>This record does not exist, or you are not on the client’s care team.</p>
      {canBreakGlass ? (
        <>
          <p>
            If you need this record now for someone’s care — for example in a crisis — you can open it with a written reason. You will have access
            for a limited time. The care team is told, and the opening is recorded in the access log.
          </p>
          <button type="button" class="button" onClick={() => setOpen(true)}>
            Open with a reason…
          </button>
        </>
      ) : (
        <p>If you need it, ask someone on the client’s care team to add you.</p>
      )}
      <p>
        <Link href="/clients">Back to clients</Link>
      </p>
      <Dialog open={open} title="Open this record in an emergency" onClose={() => setOpen(false)} id="break-glass">
        <form onSubmit={submit} noValidate class="form">
          <FormError message={errors.summary} />
          <TextArea
            name="reason"
            label="Why do you need this record now?"
            hint="Your reason is shown to the care team and kept in the access log."
            idPrefix="bg"
            required
            rows={4}
            value={reason}
            onInput={setReason}
            error={errors.fields.reason}
          />
          <div class="actions">
            <button type="submit" class="button" disabled={busy}>
              Open record
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
