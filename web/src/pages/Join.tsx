// /join: accepting a portal invitation on a phone. The link from the e-mail carries ?token=…;
// otherwise the person types the code their care team showed them. Then: choose a username and
// password, read and agree to the terms (POST /api/v1/invitations/accept signs them in), an
// optional authenticator app, the reminders they want (clients), and into the portal.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError, TextField } from '../components/Field';
import { PageHeading } from '../components/Page';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import { navigate } from '../router';
import { adoptSignIn, useSession } from '../session';
import type { SignInAnswer } from '../types';
import { focusFirstError } from './forms';
import { TermsText, type PortalTerms } from './JoinTerms';
import { ReminderForm, type Preferences } from './PortalSettings';
import { SecurityPage } from './Security';

/** POST /api/v1/invitations/check. */
export interface InvitationCheck {
  valid: boolean;
  kind: 'client' | 'guardian';
  service_name: string;
  terms: PortalTerms;
}

type Step = 'code' | 'account' | 'security' | 'reminders';

/** What was typed → "ABCD-EFGH" while typing (upper case, a hyphen after four). */
export function tidyCode(typed: string): string {
  const bare = typed.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 8);
  return bare.length > 4 ? `${bare.slice(0, 4)}-${bare.slice(4)}` : bare;
}

const passwordRules = 'At least 12 characters, and not the same as your username. A few ordinary words you will remember make a good password.';

export function JoinPage({ token }: { token: string | null }) {
  const session = useSession();
  const [step, setStep] = useState<Step>(token ? 'account' : 'code');
  const [invitation, setInvitation] = useState<InvitationCheck | null>(null);
  const [code, setCode] = useState('');
  const [checking, setChecking] = useState(!!token);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [agreed, setAgreed] = useState(false);
  const [prefs, setPrefs] = useState<Preferences | null>(null);
  const [settingUp, setSettingUp] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);

  const secret = () => (token ? { token } : { code });
  const fail = (err: unknown, fields?: readonly string[]) =>
    setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, fields) : { summary: 'Something went wrong. Check your connection and try again.', fields: {} });

  // The e-mailed link: check it at once.
  useEffect(() => {
    if (!token) return;
    api
      .post<InvitationCheck>('/api/v1/invitations/check', { token })
      .then((c) => setInvitation(c))
      .catch((err) => fail(err))
      .finally(() => setChecking(false));
  }, [token]);

  const focusStep = () => window.setTimeout(() => document.getElementById('step-heading')?.focus(), 0);

  const checkCode = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!code.trim()) {
      setErrors({ summary: 'Please correct the marked field.', fields: { code: 'Enter the code your care team gave you.' } });
      return;
    }
    setBusy(true);
    try {
      setInvitation(await api.post<InvitationCheck>('/api/v1/invitations/check', { code }));
      setErrors(noErrors);
      setStep('account');
      focusStep();
    } catch (err) {
      fail(err, ['code']);
    } finally {
      setBusy(false);
    }
  };

  const createAccount = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!agreed) {
      setErrors({ summary: 'Please correct the marked field.', fields: { accept_terms: 'Tick the box to agree to the portal terms. You need to agree to use the portal.' } });
      return;
    }
    setBusy(true);
    try {
      const answer = await api.post<SignInAnswer>('/api/v1/invitations/accept', {
        ...secret(),
        username: username.trim(),
        password,
        accept_terms: true,
        terms_version: invitation?.terms.version,
      });
      setPassword('');
      setErrors(noErrors);
      adoptSignIn(answer);
      setStep('security');
      focusStep();
    } catch (err) {
      fail(err, ['username', 'password', 'accept_terms']);
      // The terms changed while they were read: show the new version, to be agreed afresh.
      if (err instanceof ApiError && err.problem.errors?.some((e) => e.field === 'terms_version')) {
        setAgreed(false);
        api
          .post<InvitationCheck>('/api/v1/invitations/check', secret())
          .then(setInvitation)
          .catch(() => {});
      }
    } finally {
      setBusy(false);
    }
  };

  const afterSecurity = async () => {
    setSettingUp(false);
    if (invitation?.kind === 'guardian') {
      navigate('/guardian', { replace: true });
      return;
    }
    try {
      setPrefs(await api.get<Preferences>('/api/v1/me/preferences'));
    } catch {
      setPrefs({ check_in_reminder: null, appointment_reminders: true, message_notices: true, email_on_file: false });
    }
    setStep('reminders');
    focusStep();
  };

  const service = invitation?.service_name ?? 'Tend';
  const user = session.status === 'signed-in' ? session.user : null;

  return (
    <div class="join">
      {step === 'code' ? (
        <>
          <PageHeading title="Join the portal" />
          <p>Your care team gave you a code. Type it here to set up your account. It has eight letters and numbers.</p>
          <form onSubmit={checkCode} noValidate class="form">
            <FormError message={errors.summary} />
            <TextField
              name="code"
              idPrefix="join"
              label="Invitation code"
              hint="For example ABCD-EFGH. Capital or small letters both work."
              value={code}
              onInput={(v) => setCode(tidyCode(v))}
              autoComplete="one-time-code"
              spellcheck={false}
              required
              error={errors.fields.code}
            />
            <div class="actions">
              <button type="submit" class="button" disabled={busy}>
                Continue
              </button>
            </div>
          </form>
          <p class="muted">Already have an account? <a href="/signin">Sign in</a>.</p>
        </>
      ) : null}

      {step === 'account' ? (
        <>
          <PageHeading title={invitation?.kind === 'guardian' ? `Your parent or guardian account at ${service}` : `Your ${service} portal account`} />
          {checking ? <p role="status">Checking your invitation…</p> : null}
          {!checking && !invitation ? (
            <>
              <FormError message={errors.summary} />
              <p>
                <a href="/join">Type a code instead</a>
              </p>
            </>
          ) : null}
          {invitation ? (
            <form onSubmit={createAccount} noValidate class="form">
              <h2 id="step-heading" tabIndex={-1}>
                Choose how you sign in
              </h2>
              <FormError message={errors.summary} />
              <TextField
                name="username"
                idPrefix="join"
                label="Username"
                hint="3 to 64 small letters, numbers, dots, dashes or underscores. You will use it to sign in."
                value={username}
                onInput={setUsername}
                autoComplete="username"
                spellcheck={false}
                required
                error={errors.fields.username}
              />
              <TextField
                name="password"
                idPrefix="join"
                type="password"
                label="Password"
                hint={passwordRules}
                value={password}
                onInput={setPassword}
                autoComplete="new-password"
                required
                error={errors.fields.password}
              />
              <section class="section terms" aria-labelledby="terms-heading">
                <h2 id="terms-heading">{invitation.terms.title}</h2>
                <TermsText text={invitation.terms.text} />
              </section>
              <div class={errors.fields.accept_terms ? 'field field--error' : 'field'}>
                {errors.fields.accept_terms ? (
                  <p class="field-error" id="join-accept_terms-error">
                    <span class="visually-hidden">Error: </span>
                    {errors.fields.accept_terms}
                  </p>
                ) : null}
                <label class="choice" for="join-accept_terms">
                  <input
                    id="join-accept_terms"
                    type="checkbox"
                    name="accept_terms"
                    checked={agreed}
                    aria-invalid={errors.fields.accept_terms ? 'true' : undefined}
                    aria-describedby={errors.fields.accept_terms ? 'join-accept_terms-error' : undefined}
                    onChange={(e) => setAgreed((e.currentTarget as HTMLInputElement).checked)}
                  />{' '}
                  I have read and agree to the portal terms
                </label>
              </div>
              <div class="actions">
                <button type="submit" class="button" disabled={busy}>
                  Create my account
                </button>
              </div>
            </form>
          ) : null}
        </>
      ) : null}

      {step === 'security' && user ? (
        <>
          <PageHeading title="Your account is ready" />
          <h2 id="step-heading" tabIndex={-1}>
            Add a second step to signing in?
          </h2>
          {settingUp ? (
            <>
              <SecurityPage user={user} embedded />
              <div class="actions">
                <button type="button" class="button" onClick={() => void afterSecurity()}>
                  Continue
                </button>
              </div>
            </>
          ) : (
            <>
              <p>
                You can ask for a code from an authenticator app on your phone each time you sign in, as well as your password. It keeps your account safe
                even if someone learns your password. This is optional, and you can set it up later in Settings.
              </p>
              <div class="actions">
                <button type="button" class="button" onClick={() => setSettingUp(true)}>
                  Set up an authenticator app
                </button>
                <button type="button" class="button button--secondary" onClick={() => void afterSecurity()}>
                  Skip for now
                </button>
              </div>
            </>
          )}
        </>
      ) : null}

      {step === 'reminders' && prefs ? (
        <>
          <PageHeading title="Reminders" />
          <h2 id="step-heading" tabIndex={-1}>
            Choose what you would like to hear about
          </h2>
          <p>You can change these at any time in Settings.</p>
          <ReminderForm initial={prefs} submitLabel="Save and open my portal" idPrefix="join" onSaved={() => navigate('/portal', { replace: true })} />
        </>
      ) : null}
    </div>
  );
}
