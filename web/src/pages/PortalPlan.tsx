// The portal's "My plan" and "Staying well" pages, phone first and in plain words. My plan:
// the goals in the client's own words, the steps toward them with how far they have come,
// what the care team will do together with them (each in plain language), the next review,
// and agreeing to the plan (a changed plan is agreed again). Staying well: the relapse
// prevention plan from the client's last discharge, kept on the phone (the same cache as the
// safety plan, emptied at sign-out) so it opens with no signal.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { formatDate, formatDateTime } from '../format';
import { dataCache } from '../portalData';
import { targetWords, type Discharge, type Plan, type Progress } from '../plans';
import { problemToFormErrors } from '../problem';
import { useGet } from '../useApi';

export const relapsePath = '/api/v1/me/relapse-prevention';

/** How far an objective has come, for the client. */
export function progressForClient(p: Progress | undefined, measured: boolean): string {
  if (!p) return '';
  if (p.status === 'met') return 'You have reached this.';
  if (!measured) return p.status === 'overdue' ? 'The date has passed: talk about it at your next review.' : 'Not there yet.';
  if (p.latest === null) return 'No answers yet to show how this is going.';
  if (p.baseline !== null && p.baseline_on !== p.latest_on) return `Your score was ${p.baseline} and is now ${p.latest}.`;
  return `Your latest score is ${p.latest}.`;
}

export function MyPlanPage() {
  const plan = useGet<Plan>('/api/v1/me/plan');
  const [agreed, setAgreed] = useState<Plan | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const p = agreed ?? plan.data;
  const agree = async () => {
    if (!p) return;
    setBusy(true);
    try {
      setAgreed(await api.post<Plan>(`/api/v1/me/plans/${encodeURIComponent(p.id)}/agree`, { version: p.version }));
      setError('');
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        setError('Your plan has just been changed. Please read it again before agreeing.');
        setAgreed(null);
        plan.reload();
      } else {
        setError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'Something went wrong. Please try again.');
      }
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <PageHeading title="My plan" />
      <p>
        <Link href="/portal">Back to home</Link>
      </p>
      {plan.loading && !p ? <Loading what="Opening your plan" /> : null}
      {plan.error?.status === 404 ? <p>You do not have a treatment plan yet. Your clinician will write it with you.</p> : null}
      {plan.error && plan.error.status !== 404 ? <ErrorMessage message={problemToFormErrors(plan.error.problem).summary} /> : null}
      {p ? (
        <div class="portal-plan cards">
          <section class="card" aria-labelledby="my-goals">
            <h2 id="my-goals">My goals</h2>
            <ul>
              {p.goals.map((g) => (
                <li key={g.id}>{g.text}</li>
              ))}
            </ul>
          </section>
          {p.objectives.length ? (
            <section class="card" aria-labelledby="my-steps">
              <h2 id="my-steps">Steps toward them</h2>
              <ul class="plain-list">
                {p.objectives.map((o) => (
                  <li key={o.id}>
                    <strong>{o.text}</strong>
                    <br />
                    <span class="muted">{o.instrument_id ? targetWords(o) : `By ${formatDate(o.target_on)}`}</span>
                    <br />
                    <span class={`plan-progress plan-progress--${o.progress?.status ?? 'not_yet'}`}>{progressForClient(o.progress, !!o.instrument_id)}</span>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          <section class="card" aria-labelledby="my-support">
            <h2 id="my-support">What we will do together</h2>
            <ul class="plain-list">
              {p.interventions.map((i) => (
                <li key={i.id}>
                  <strong>{i.name}</strong> — {i.frequency}, with {i.delivered_by.name}
                  <br />
                  {i.client_text}
                  {i.detail ? ` ${i.detail}` : ''}
                </li>
              ))}
            </ul>
          </section>
          <section class="card" aria-labelledby="my-review">
            <h2 id="my-review">Next review</h2>
            <p>
              We will look at this plan together again on <strong>{formatDate(p.review_on)}</strong>.
            </p>
          </section>
          <section class="card" aria-labelledby="my-agreement">
            <h2 id="my-agreement">Do you agree with this plan?</h2>
            <FormError message={error} />
            {p.agreement.current && p.agreement.at ? (
              <p role="status">You agreed to this plan on {formatDateTime(p.agreement.at)}.</p>
            ) : (
              <>
                {p.agreement.version !== null ? <p>Your plan has changed since you last agreed to it.</p> : null}
                <p>If something does not feel right, talk to your clinician before agreeing.</p>
                <button type="button" class="button" disabled={busy} onClick={() => void agree()}>
                  I agree with my plan
                </button>
              </>
            )}
          </section>
        </div>
      ) : null}
    </>
  );
}

async function keep(body: Discharge) {
  try {
    const c = typeof caches !== 'undefined' ? await caches.open(dataCache) : null;
    await c?.put(relapsePath, new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } }));
  } catch {
    // no Cache API here: nothing kept on the phone
  }
}

async function kept(): Promise<Discharge | null> {
  try {
    const c = typeof caches !== 'undefined' ? await caches.open(dataCache) : null;
    const hit = await c?.match(relapsePath);
    return hit ? ((await hit.json()) as Discharge) : null;
  } catch {
    return null;
  }
}

type StayingWell = { state: 'loading' } | { state: 'none' } | { state: 'plan'; plan: Discharge; offline: boolean } | { state: 'failed'; message: string };

export function StayingWellPage() {
  const [s, setS] = useState<StayingWell>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    api
      .get<Discharge>(relapsePath)
      .then((plan) => {
        if (!live) return;
        setS({ state: 'plan', plan, offline: false });
        void keep(plan);
      })
      .catch(async (err) => {
        if (!live) return;
        if (err instanceof ApiError && err.status === 404) return setS({ state: 'none' });
        const copy = await kept();
        if (!live) return;
        if (copy) setS({ state: 'plan', plan: copy, offline: true });
        else setS({ state: 'failed', message: err instanceof ApiError && err.status ? problemToFormErrors(err.problem).summary : 'Tend cannot be reached, and your plan is not on this phone yet.' });
      });
    return () => {
      live = false;
    };
  }, []);
  return (
    <>
      <PageHeading title="Staying well" />
      <p>
        <Link href="/portal">Back to home</Link>
      </p>
      {s.state === 'loading' ? <Loading what="Opening your plan for staying well" /> : null}
      {s.state === 'none' ? <p>Your plan for staying well is written with your clinician when your treatment ends. It will be here then.</p> : null}
      {s.state === 'failed' ? <ErrorMessage message={s.message} /> : null}
      {s.state === 'plan' ? (
        <div class="portal-plan cards">
          {s.offline ? <p role="status">You are offline: this is the copy kept on this phone.</p> : null}
          <p class="lead">
            What you and {s.plan.written_by.name} wrote when your time with {s.plan.program} ended{s.plan.ended_on ? ` on ${formatDate(s.plan.ended_on)}` : ''}.
          </p>
          <ListCard id="signs" title="Early warning signs" items={s.plan.relapse.warning_signs} />
          <ListCard id="helps" title="What helps me" items={s.plan.relapse.what_helps} />
          <ListCard id="contacts" title="Who I can contact" items={s.plan.relapse.contacts} />
          <section class="card" aria-labelledby="coming-back">
            <h2 id="coming-back">Coming back to the service</h2>
            <p>{s.plan.relapse.coming_back}</p>
          </section>
        </div>
      ) : null}
    </>
  );
}

function ListCard({ id, title, items }: { id: string; title: string; items: string[] }) {
  if (items.length === 0) return null;
  return (
    <section class="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <ul>
        {items.map((x, i) => (
          <li key={i}>{x}</li>
        ))}
      </ul>
    </section>
  );
}

/** The home page's card: links to the plan and to staying well. */
export function PlanCards() {
  return (
    <section class="card" aria-labelledby="my-plan-card">
      <h2 id="my-plan-card">My plan</h2>
      <p>Your goals, the steps toward them and how they are going.</p>
      <p>
        <Link href="/portal/plan" class="button">
          My plan
        </Link>{' '}
        <Link href="/portal/staying-well" class="button button--secondary">
          Staying well
        </Link>
      </p>
    </section>
  );
}
