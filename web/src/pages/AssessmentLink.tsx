// The public page for a questionnaire sent by link (/a/:token): no sign-in, one item per
// screen, then thanks. The token is the only key; the page keeps no record of it, and the
// app's no-referrer policy keeps it out of other sites' logs.
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { ClientThanks } from '../components/ClientThanks';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { ClientIntro, noQuestionnaireErrors, Questionnaire, type QuestionnaireErrors } from '../components/Questionnaire';
import { problemToFormErrors } from '../problem';
import { problemToAnswerErrors } from '../questionnaire';
import type { Answer, LinkQuestionnaire, LinkReceipt } from '../types';
import { useGet, useIdempotentPost } from '../useApi';

export function AssessmentLinkPage({ token }: { token: string }) {
  const path = `/api/v1/assessment-links/${encodeURIComponent(token)}`;
  const link = useGet<LinkQuestionnaire>(path);
  const post = useIdempotentPost();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<QuestionnaireErrors>(noQuestionnaireErrors);
  const [receipt, setReceipt] = useState<LinkReceipt | null>(null);

  if (link.loading && !link.data) return <Loading what="Opening the questionnaire" />;
  if (link.error || !link.data) {
    const gone = link.error?.status === 404 || link.error?.status === 410;
    return (
      <>
        <PageHeading title="This link cannot be used" />
        {gone ? (
          <p>This link has already been used, or it has expired. If you were asked to fill in a questionnaire, please ask the service for a new link.</p>
        ) : (
          <ErrorMessage message={link.error ? problemToFormErrors(link.error.problem).summary : 'The questionnaire could not be opened.'} />
        )}
        <HelpNow />
      </>
    );
  }

  const instrument = link.data.instrument;
  const submit = async (answers: Answer[]) => {
    setBusy(true);
    try {
      setReceipt(await post<LinkReceipt>(path, { answers }));
    } catch (e) {
      const problem = e instanceof ApiError ? e.problem : { status: 0 };
      if (problem.status === 404 || problem.status === 410) {
        setErrors({ summary: 'This link can no longer be used: it has expired or was used already. Please ask the service for a new link.', items: {} });
      } else {
        const sorted = problemToAnswerErrors(problem, instrument.items);
        setErrors({ summary: sorted.summary, items: sorted.items });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeading title={instrument.name}>{instrument.title || instrument.name}</PageHeading>
      {receipt ? (
        <ClientThanks clientText={receipt.band?.client_text} needsFollowUp={receipt.needs_follow_up} who="the service">
          <p class="muted">You can close this page now.</p>
        </ClientThanks>
      ) : (
        <Questionnaire
          instrument={instrument}
          layout="one"
          intro={<ClientIntro instrument={instrument} />}
          submitLabel="Send my answers"
          busy={busy}
          errors={errors}
          onSubmit={(a) => void submit(a)}
          idPrefix="link-q"
        />
      )}
      {instrument.copyright ? <p class="copyright muted">{instrument.copyright}</p> : null}
    </>
  );
}

function HelpNow() {
  return (
    <div class="card card--urgent">
      <h2>Need help right now?</h2>
      <p>
        If you might hurt yourself or someone else, call your local emergency number now. In the US you can call or text <a href="tel:988">988</a>.
      </p>
    </div>
  );
}
