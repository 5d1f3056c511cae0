// The portal's Settings: which reminders the client gets (GET/PUT /api/v1/me/preferences) and
// two-step sign-in; and the terms gate, which asks a portal user to agree again when the
// service's portal terms change (GET /api/v1/me/terms, POST /api/v1/me/terms/accept).
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { formatDate } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { User } from '../types';
import { useGet } from '../useApi';
import { focusFirstError } from './forms';
import { TermsText, type PortalTerms } from './JoinTerms';
import { SecurityPage } from './Security';

/** GET /api/v1/me/preferences. */
export interface Preferences {
  check_in_reminder: string | null;
  appointment_reminders: boolean;
  message_notices: boolean;
  email_on_file: boolean;
}

export interface TermsStatus {
  terms: PortalTerms;
  accepted_version: string | null;
  accepted_at: string | null;
  needs_acceptance: boolean;
}

/** The reminder choices, as a form. `onSaved` gets what the server kept. */
export function ReminderForm({
  initial,
  onSaved,
  submitLabel = 'Save reminders',
  idPrefix = 'prefs',
}: {
  initial: Preferences;
  onSaved: (p: Preferences) => void;
  submitLabel?: string;
  idPrefix?: string;
}) {
  const [daily, setDaily] = useState(initial.check_in_reminder !== null);
  const [time, setTime] = useState(initial.check_in_reminder ?? '19:00');
  const [appointments, setAppointments] = useState(initial.appointment_reminders);
  const [messages, setMessages] = useState(initial.message_notices);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      const saved = await api.put<Preferences>('/api/v1/me/preferences', {
        check_in_reminder: daily ? time : null,
        appointment_reminders: appointments,
        message_notices: messages,
      });
      setErrors(noErrors);
      onSaved(saved);
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['check_in_reminder']) : { summary: 'Your choices could not be saved. Try again.', fields: {} });
    } finally {
      setBusy(false);
    }
  };

  const timeId = `${idPrefix}-check_in_reminder`;
  return (
    <form onSubmit={save} noValidate class="form">
      <FormError message={errors.summary} />
      <fieldset class="field">
        <legend>Daily check-in reminder</legend>
        <p class="hint">A short nudge to fill in how your day went. It takes under a minute.</p>
        <div class="choice-list">
          <label>
            <input type="radio" name={`${idPrefix}-daily`} checked={!daily} onChange={() => setDaily(false)} /> No daily reminder
          </label>
          <label>
            <input type="radio" name={`${idPrefix}-daily`} checked={daily} onChange={() => setDaily(true)} /> Remind me every day
          </label>
        </div>
        {daily ? (
          <div class={errors.fields.check_in_reminder ? 'field field--error' : 'field'}>
            <label for={timeId}>Time of the reminder</label>
            {errors.fields.check_in_reminder ? (
              <p class="field-error" id={`${timeId}-error`}>
                <span class="visually-hidden">Error: </span>
                {errors.fields.check_in_reminder}
              </p>
            ) : null}
            <input
              id={timeId}
              name="check_in_reminder"
              type="time"
              value={time}
              aria-invalid={errors.fields.check_in_reminder ? 'true' : undefined}
              aria-describedby={errors.fields.check_in_reminder ? `${timeId}-error` : undefined}
              onInput={(e) => setTime((e.currentTarget as HTMLInputElement).value)}
            />
          </div>
        ) : null}
      </fieldset>
      <fieldset class="field">
        <legend>Other reminders</legend>
        <div class="choice-list">
          <label>
            <input type="checkbox" name="appointment_reminders" checked={appointments} onChange={(e) => setAppointments((e.currentTarget as HTMLInputElement).checked)} />{' '}
            Remind me a day before each appointment
          </label>
          <label>
            <input type="checkbox" name="message_notices" checked={messages} onChange={(e) => setMessages((e.currentTarget as HTMLInputElement).checked)} /> Tell me
            when my care team sends a message
          </label>
        </div>
        <p class="hint">
          {initial.email_on_file
            ? 'Reminders come by e-mail and never say anything about your care.'
            : 'Reminders come by e-mail. Your care team has no e-mail address for you yet, or you have not agreed to e-mail: ask them to add it.'}
        </p>
      </fieldset>
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

export function PortalSettingsPage({ user }: { user: User }) {
  const prefs = useGet<Preferences>(user.role === 'client' ? '/api/v1/me/preferences' : null);
  const [saved, setSaved] = useState('');
  return (
    <>
      <PageHeading title="Settings" />
      <p>
        <Link href={user.role === 'client' ? '/portal' : '/guardian'}>Back to your portal</Link>
      </p>
      {user.role === 'client' ? (
        <section class="section" aria-labelledby="reminders-heading">
          <h2 id="reminders-heading">Reminders</h2>
          {prefs.loading && !prefs.data ? <Loading what="Loading your choices" /> : null}
          {prefs.error ? <ErrorMessage message={problemToFormErrors(prefs.error.problem).summary} /> : null}
          {saved ? (
            <p class="notice" role="status">
              {saved}
            </p>
          ) : null}
          {prefs.data ? <ReminderForm initial={prefs.data} onSaved={() => setSaved('Your reminder choices are saved.')} /> : null}
        </section>
      ) : null}
      <section class="section" aria-labelledby="security-heading">
        <h2 id="security-heading">Two-step sign-in</h2>
        <SecurityPage user={user} embedded />
      </section>
    </>
  );
}

/** Shows `children` once the portal user has agreed to the current terms; asks first otherwise. */
export function TermsGate({ children }: { children: ComponentChildren }) {
  const status = useGet<TermsStatus>('/api/v1/me/terms');
  const [agreed, setAgreed] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  if (status.loading && !status.data) return <Loading />;
  if (!status.data || !status.data.needs_acceptance) return <>{children}</>;
  const t = status.data;
  const accept = async (e: Event) => {
    e.preventDefault();
    if (!agreed) {
      setError('Tick the box to say you agree, or sign out if you do not.');
      return;
    }
    setBusy(true);
    try {
      await api.post('/api/v1/me/terms/accept', { version: t.terms.version });
      status.reload();
    } catch (err) {
      setError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'Something went wrong. Try again.');
      status.reload();
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <PageHeading title="The portal terms have changed" />
      <p>
        {t.accepted_at ? `You agreed to an earlier version on ${formatDate(t.accepted_at.slice(0, 10))}. ` : ''}
        Please read the new version before you carry on.
      </p>
      <section class="section terms" aria-labelledby="terms-heading">
        <h2 id="terms-heading">{t.terms.title}</h2>
        <TermsText text={t.terms.text} />
      </section>
      <form onSubmit={accept} noValidate class="form">
        <FormError message={error} />
        <label class="choice">
          <input type="checkbox" name="accept_terms" checked={agreed} onChange={(e) => setAgreed((e.currentTarget as HTMLInputElement).checked)} /> I have read and
          agree to the portal terms
        </label>
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>
            Agree and continue
          </button>
        </div>
      </form>
    </>
  );
}
