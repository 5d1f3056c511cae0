// The guardian portal: a parent or guardian of a young person in care sees only the sections the
// service shares with guardians (GET /api/v1/guardian/clients, then
// /api/v1/guardian/clients/{id}/{section}). Never notes, questionnaires, check-ins or messages.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError, TextField } from '../components/Field';
import { Link } from '../components/Link';
import { SafetyPlanView } from '../components/SafetyPlan';
import { completeSections } from '../crisis';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { formatDateTime } from '../format';
import { problemToFormErrors } from '../problem';
import type { Plan } from '../plans';
import type { Appointment, CrisisResources, Items, SafetyPlan, User } from '../types';
import { useGet } from '../useApi';
import { tidyCode } from './Join';
import { howToAttend } from './PortalAppointments';

/** A young person the guardian is linked to. */
export interface GuardedClient {
  client_id: string;
  name: string;
  relationship: string | null;
  sections: string[];
}

/** The first name, for headings ("Sam's appointments"). */
export function firstName(name: string): string {
  return name.split(' ')[0] || name;
}

export function GuardianHome({ user }: { user: User }) {
  const list = useGet<Items<GuardedClient>>('/api/v1/guardian/clients');
  return (
    <>
      <PageHeading title={`Hello, ${user.display_name}`} />
      <p>
        This is your parent or guardian account. You see what the service shares with parents and guardians. What a young person says in their sessions and
        what they write in their own portal stays between them and their care team.
      </p>
      <p>
        <Link href="/guardian/settings">Settings</Link>
      </p>
      {list.loading && !list.data ? <Loading /> : null}
      {list.error ? <ErrorMessage message={problemToFormErrors(list.error.problem).summary} /> : null}
      {list.data && list.data.items.length === 0 ? <p>No young person is linked to your account at the moment. Please contact the service.</p> : null}
      {(list.data?.items ?? []).map((c) => (
        <GuardedSections key={c.client_id} client={c} />
      ))}
      <AddYoungPerson onAdded={list.reload} />
    </>
  );
}

/** Another young person: the code from their care team, accepted into this account. */
function AddYoungPerson({ onAdded }: { onAdded: () => void }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const add = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setDone('');
    if (!code.trim()) {
      setError('Enter the code the care team gave you.');
      return;
    }
    setBusy(true);
    try {
      await api.post('/api/v1/guardian/invitations/accept', { code });
      setError('');
      setCode('');
      setDone('Added. You will find them above.');
      onAdded();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong. Try again.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="section" aria-labelledby="add-young-heading">
      <h2 id="add-young-heading">Another young person</h2>
      <p>If the service gave you a code for another young person in your care, enter it here to see them in this account too.</p>
      {done ? (
        <p class="notice" role="status">
          {done}
        </p>
      ) : null}
      <form onSubmit={add} noValidate class="form">
        <FormError message={error} />
        <TextField name="code" idPrefix="guardian" label="Invitation code" value={code} onInput={(v) => setCode(tidyCode(v))} autoComplete="off" spellcheck={false} required />
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>
            Add
          </button>
        </div>
      </form>
    </section>
  );
}

function GuardedSections({ client }: { client: GuardedClient }) {
  const base = `/api/v1/guardian/clients/${encodeURIComponent(client.client_id)}`;
  const first = firstName(client.name);
  const headingId = `young-${client.client_id}`;
  return (
    <section class="section" aria-labelledby={headingId}>
      <h2 id={headingId}>{client.name}</h2>
      {client.sections.includes('appointments') ? <GuardianAppointments base={base} first={first} /> : null}
      {client.sections.includes('education') ? <GuardianReading base={base} first={first} /> : null}
      {client.sections.includes('safety_plan') ? <GuardianSafetyPlan base={base} first={first} /> : null}
      {client.sections.includes('plan') ? <GuardianPlan base={base} first={first} /> : null}
      {client.sections.includes('crisis_resources') ? <GuardianCrisisLines base={base} /> : null}
      {client.sections.length === 0 ? <p>The service does not share any part of {first}'s record with guardians online. Please contact them.</p> : null}
    </section>
  );
}

function GuardianAppointments({ base, first }: { base: string; first: string }) {
  const list = useGet<Items<Appointment>>(`${base}/appointments`);
  const items = list.data?.items ?? [];
  return (
    <div class="card">
      <h3>{first}'s appointments</h3>
      {list.loading && !list.data ? <Loading what="Loading appointments" /> : null}
      {list.error ? <ErrorMessage message={problemToFormErrors(list.error.problem).summary} /> : null}
      {list.data && items.length === 0 ? <p>No appointments booked.</p> : null}
      {items.length ? (
        <ul class="portal-appointments">
          {items.map((a) => (
            <li key={a.id}>
              <strong>{formatDateTime(a.starts_at)}</strong>
              <span> · {howToAttend(a)}</span>
              <span> · with {a.clinician.name}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

interface GuardianReadingItem {
  id: string;
  title: string | null;
  status: string;
}

function GuardianReading({ base, first }: { base: string; first: string }) {
  const list = useGet<Items<GuardianReadingItem>>(`${base}/education`);
  const items = list.data?.items ?? [];
  return (
    <div class="card">
      <h3>Reading for {first}</h3>
      {list.error ? <ErrorMessage message={problemToFormErrors(list.error.problem).summary} /> : null}
      {list.data && items.length === 0 ? <p>Nothing to read at the moment.</p> : null}
      {items.length ? (
        <ul>
          {items.map((r) => (
            <li key={r.id}>
              {r.title ?? 'An article'} {r.status === 'read' ? <span class="muted">(read)</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function GuardianSafetyPlan({ base, first }: { base: string; first: string }) {
  const plan = useGet<SafetyPlan>(`${base}/safety-plan`);
  return (
    <div class="card">
      <h3>{first}'s safety plan</h3>
      {plan.error?.status === 404 ? <p>{first} does not have a safety plan yet.</p> : null}
      {plan.error && plan.error.status !== 404 ? <ErrorMessage message={problemToFormErrors(plan.error.problem).summary} /> : null}
      {plan.data ? <SafetyPlanView sections={completeSections(plan.data.sections)} wording="staff" /> : null}
    </div>
  );
}

function GuardianPlan({ base, first }: { base: string; first: string }) {
  const plan = useGet<Plan>(`${base}/plan`);
  return (
    <div class="card">
      <h3>{first}'s treatment plan</h3>
      {plan.error?.status === 404 ? <p>There is no treatment plan yet.</p> : null}
      {plan.error && plan.error.status !== 404 ? <ErrorMessage message={problemToFormErrors(plan.error.problem).summary} /> : null}
      {plan.data ? (
        <>
          <p>Goals:</p>
          <ul>
            {plan.data.goals.map((g) => (
              <li key={g.id}>{g.text}</li>
            ))}
          </ul>
          {plan.data.interventions.length ? (
            <>
              <p>What the care team and {first} will do:</p>
              <ul>
                {plan.data.interventions.map((i) => (
                  <li key={i.id}>{i.client_text || i.name}</li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

function GuardianCrisisLines({ base }: { base: string }) {
  const r = useGet<CrisisResources>(`${base}/crisis-resources`);
  return (
    <div class="card">
      <h3>If you are worried about their safety now</h3>
      {r.data?.emergency ? (
        <p>
          In an emergency call <a href={`tel:${r.data.emergency.number}`}>{r.data.emergency.number}</a>.
        </p>
      ) : null}
      {r.data ? (
        <ul>
          {r.data.lines.map((l) => (
            <li key={l.name}>
              <strong>{l.name}</strong>
              {l.phone ? (
                <>
                  {' '}
                  · <a href={`tel:${l.phone.replace(/[^0-9+]/g, '')}`}>{l.phone}</a>
                </>
              ) : null}
              {l.description ? <div class="muted">{l.description}</div> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
