// The portal's crisis screens, phone first and in calm words: "My safety plan", the "I need
// help now" screen, the screen after a questionnaire answer that shows risk, and what the
// portal shows when Tend cannot be reached. Each shows the safety plan and crisis lines from
// what this phone already has (portalData.ts) before anything from the network.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { CrisisLines } from '../components/CrisisLines';
import { Link } from '../components/Link';
import { Loading, PageHeading } from '../components/Page';
import { SafetyPlanEditor, SafetyPlanView } from '../components/SafetyPlan';
import { completeSections, planIsEmpty } from '../crisis';
import { formatDateTime } from '../format';
import { planPath, planSaved, requestHelp, useCrisisData, useHelpNow, type CrisisData } from '../portalData';
import { navigate } from '../router';
import type { SafetyPlan } from '../types';

/** The button in the portal's header, on every portal page. */
export function HelpNowButton() {
  return (
    <a
      href="/portal/help"
      class="button help-now-button"
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        // the screen first, from what this phone has; the care team is told in the background
        navigate('/portal/help');
        void requestHelp();
      }}
    >
      I need help now
    </a>
  );
}

/** The plan (or a kind word that there is none yet), in the client's wording. */
function MyPlan({ data, headingLevel = 2, children }: { data: CrisisData; headingLevel?: 2 | 3; children?: ComponentChildren }) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section class="my-plan" aria-labelledby="my-plan-heading">
      <H id="my-plan-heading">My safety plan</H>
      {data.plan === undefined && data.loading ? <Loading what="Opening your safety plan" /> : null}
      {data.plan === undefined && !data.loading ? <p>Your safety plan is not on this phone yet. It will be here once you have opened it with signal.</p> : null}
      {data.plan === null ? <p>You have not written a safety plan with your care team yet. You can start one on the “My safety plan” page, or ask your clinician about it.</p> : null}
      {data.plan ? <SafetyPlanView sections={completeSections(data.plan.sections)} wording="client" headingLevel={3} /> : null}
      {children}
    </section>
  );
}

/** /portal/help — "I need help now". */
export function HelpNowPage() {
  const data = useCrisisData();
  const help = useHelpNow();
  return (
    <>
      <PageHeading title="Help now" />
      <div class={`help-status help-status--${help.state}`} role="status">
        {help.state === 'sending' ? <p>Telling your care team…</p> : null}
        {help.state === 'sent' ? <p>Your care team has been told. Someone will contact you as soon as they can.</p> : null}
        {help.state === 'failed' ? (
          <>
            <p>
              <strong>We could not reach Tend — please call one of these numbers.</strong>
            </p>
            <button type="button" class="button button--secondary" onClick={() => void requestHelp()}>
              Try telling my care team again
            </button>
          </>
        ) : null}
        {help.state === 'idle' ? (
          <>
            <p>You can tell your care team that you need help now. Someone will contact you as soon as they can.</p>
            <button type="button" class="button" onClick={() => void requestHelp()}>
              Tell my care team
            </button>
          </>
        ) : null}
      </div>
      <CrisisLines resources={data.resources} />
      <MyPlan data={data} />
      <p class="leave">
        <Link href="/portal">Back to home</Link>
      </p>
    </>
  );
}

/** /portal/safety-plan — read first, edit allowed, print. */
export function PortalSafetyPlanPage() {
  const data = useCrisisData();
  const [editing, setEditing] = useState(false);
  const [said, setSaid] = useState('');

  if (editing) {
    return (
      <>
        <PageHeading title="My safety plan" />
        <SafetyPlanEditor
          plan={data.plan ?? null}
          wording="client"
          save={(version, sections) => api.put<SafetyPlan>(planPath, { version, sections })}
          latest={() => api.get<SafetyPlan>(planPath)}
          onSaved={(p) => {
            planSaved(p);
            setEditing(false);
            setSaid('Your safety plan is saved.');
          }}
          onCancel={() => setEditing(false)}
          idPrefix="my-plan"
        />
      </>
    );
  }

  const plan = data.plan;
  return (
    <>
      <PageHeading title="My safety plan" />
      {said ? (
        <p class="notice" role="status">
          {said}
        </p>
      ) : null}
      <p class="no-print">Your plan for hard moments: what you notice, what helps, and who you can reach. Go through it step by step.</p>
      {plan ? (
        <>
          <SafetyPlanView sections={completeSections(plan.sections)} wording="client" headingLevel={2} />
          {plan.updated_at ? (
            <p class="muted">
              Last changed {formatDateTime(plan.updated_at)}
              {plan.updated_by?.name ? ` by ${plan.updated_by.name}` : ''}.
            </p>
          ) : null}
        </>
      ) : data.loading ? (
        <Loading what="Opening your safety plan" />
      ) : plan === null ? (
        <p>You have not written a safety plan yet. It works best written together with your clinician, in your own words.</p>
      ) : (
        <p>Your safety plan could not be opened just now. Please try again when you have signal.</p>
      )}
      <div class="actions plan-page-actions no-print">
        {plan !== undefined && data.online ? (
          <button
            type="button"
            class="button"
            onClick={() => {
              setSaid('');
              setEditing(true);
            }}
          >
            {plan && !planIsEmpty(completeSections(plan.sections)) ? 'Change my plan' : 'Start my plan'}
          </button>
        ) : null}
        {plan ? (
          <button type="button" class="button button--secondary" onClick={() => window.print()}>
            Print
          </button>
        ) : null}
      </div>
      {/* Printed too: a plan on paper keeps the numbers to call. */}
      <CrisisLines resources={data.resources} />
      <p class="leave no-print">
        <Link href="/portal">Back to home</Link>
      </p>
    </>
  );
}

export type SubmissionState = 'sending' | 'sent' | 'failed';

/**
 * After answers that show risk: the safety plan and crisis lines at once, whatever happens to
 * the submission, and never just "thank you". The band's words are left out here: "few or no
 * symptoms" beside an answer about self-harm would read as dismissing it.
 */
export function RiskScreen({ submission, onRetry }: { submission: SubmissionState; onRetry: () => void }) {
  const data = useCrisisData();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section class="risk-screen" aria-labelledby="risk-heading">
      <h2 id="risk-heading" tabIndex={-1} ref={heading}>
        Thank you for telling us how things are
      </h2>
      <p class="lead">Some of your answers tell us you may be going through a very hard time. You do not have to face it alone.</p>
      <div class={`help-status help-status--${submission}`} role="status">
        {submission === 'sending' ? <p>Sending your answers to your care team…</p> : null}
        {submission === 'sent' ? <p>Your answers have reached your care team. Someone will contact you soon to see how you are.</p> : null}
        {submission === 'failed' ? (
          <>
            <p>
              <strong>We could not reach Tend, so your answers have not been sent yet.</strong> They are kept here. If you need to talk to someone now, please call one of the
              numbers below.
            </p>
            <button type="button" class="button button--secondary" onClick={onRetry}>
              Try sending again
            </button>
          </>
        ) : null}
      </div>
      <CrisisLines resources={data.resources} idPrefix="risk-lines" />
      <MyPlan data={data}>
        <p>
          <Link href="/portal/safety-plan">Open my safety plan</Link>
        </p>
      </MyPlan>
    </section>
  );
}

/** When Tend cannot be reached: the plan and lines this phone has, and a way to try again. */
export function OfflinePortal() {
  const data = useCrisisData();
  return (
    <>
      <PageHeading title="No connection" />
      <p class="lead">Tend cannot be reached just now. Your safety plan and the crisis lines are below, as they were last opened on this phone.</p>
      <p>
        <button type="button" class="button button--secondary" onClick={() => window.location.reload()}>
          Try again
        </button>
      </p>
      <CrisisLines resources={data.resources} />
      <MyPlan data={data} />
    </>
  );
}
