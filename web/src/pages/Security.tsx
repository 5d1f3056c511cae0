// Two-step sign-in for the signed-in user: POST /api/v1/me/totp starts enrolment (a secret and
// an otpauth:// URI), POST /api/v1/me/totp/confirm {code} turns it on and answers the recovery
// codes, shown once.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { CopyButton } from '../components/CopyButton';
import { FormError, TextField } from '../components/Field';
import { PageHeading } from '../components/Page';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import { loadSession } from '../session';
import type { TotpEnrolment, User } from '../types';
import { focusFirstError } from './forms';

/** "ABCDEFGH…" → "ABCD EFGH …", easier to type from the screen. */
export function groupsOfFour(secret: string): string {
  return (secret.replace(/\s+/g, '').match(/.{1,4}/g) ?? []).join(' ');
}

/** `embedded`: a part of another page (the portal's Settings), without its own page heading. */
export function SecurityPage({ user, embedded = false }: { user: User; embedded?: boolean }) {
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);

  const start = async () => {
    setBusy(true);
    setCodes(null);
    try {
      setEnrolment(await api.post<TotpEnrolment>('/api/v1/me/totp', {}));
      setErrors(noErrors);
      window.setTimeout(() => document.getElementById('enrol-heading')?.focus(), 0);
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem) : { summary: 'Something went wrong. Try again.', fields: {} });
    } finally {
      setBusy(false);
    }
  };

  const confirm = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const answer = await api.post<{ recovery_codes: string[] }>('/api/v1/me/totp/confirm', { code: code.replace(/\s+/g, '') });
      setErrors(noErrors);
      setEnrolment(null);
      setCode('');
      setCodes(answer.recovery_codes);
      window.setTimeout(() => document.getElementById('codes-heading')?.focus(), 0);
      loadSession().catch(() => {});
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['code']) : { summary: 'Something went wrong. Try again.', fields: {} });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {embedded ? null : <PageHeading title="Two-step sign-in" />}
      <p>
        With two-step sign-in, Tend asks for a code from an authenticator app on your phone as well as your password, so a stolen password alone is not
        enough to open {user.role === 'client' || user.role === 'guardian' ? 'your account' : 'the records you work with'}.
      </p>

      {codes ? (
        <section class="section notice" aria-labelledby="codes-heading">
          <h2 id="codes-heading" tabIndex={-1}>
            Two-step sign-in is on. Save your recovery codes
          </h2>
          <p>
            If you lose your phone, each of these codes lets you sign in once instead of a code from the app. <strong>They will not be shown again.</strong>{' '}
            Print them or keep them in a password manager, not on the same phone.
          </p>
          <ol class="recovery-codes" id="recovery-codes">
            {codes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ol>
          <CopyButton text={codes.join('\n')} label="Copy recovery codes" what="Recovery codes" />
        </section>
      ) : null}

      {!enrolment && !codes ? (
        <section class="section" aria-labelledby="status-heading">
          <h2 id="status-heading">Status</h2>
          <FormError message={errors.summary} />
          {user.totp_enabled ? (
            <>
              <p>Two-step sign-in is on for your account.</p>
              <p>If you have a new phone, you can set up the app again. Your old codes stop working once the new app is confirmed.</p>
            </>
          ) : (
            <p>Two-step sign-in is off for your account.</p>
          )}
          <div class="actions">
            <button type="button" class="button" onClick={() => void start()} disabled={busy}>
              {user.totp_enabled ? 'Set up a new authenticator app' : 'Set up an authenticator app'}
            </button>
          </div>
        </section>
      ) : null}

      {enrolment ? (
        <section class="section" aria-labelledby="enrol-heading">
          <h2 id="enrol-heading" tabIndex={-1}>
            Set up your authenticator app
          </h2>
          <ol class="steps">
            <li>
              <p>Open an authenticator app on your phone and choose to add an account by entering a setup key.</p>
              <p>
                Account: <strong>Tend ({user.username})</strong>. Setup key (time-based):
              </p>
              <p>
                <code class="mono secret" id="totp-secret" aria-label={`Setup key: ${enrolment.secret.split('').join(' ')}`}>
                  {groupsOfFour(enrolment.secret)}
                </code>
              </p>
              <CopyButton text={enrolment.secret} label="Copy setup key" what="Setup key" />
              <p class="muted">
                On a phone with an authenticator app, you can instead <a href={enrolment.otpauth_uri}>open the setup in the app</a>.
              </p>
            </li>
            <li>
              <p>Enter the 6-digit code the app shows for Tend.</p>
              <form onSubmit={confirm} noValidate class="form">
                <FormError message={errors.summary} />
                <TextField
                  name="code"
                  idPrefix="totp"
                  label="Code from the app"
                  required
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  value={code}
                  onInput={setCode}
                  error={errors.fields.code}
                />
                <div class="actions">
                  <button type="submit" class="button" disabled={busy}>
                    Turn on two-step sign-in
                  </button>
                  <button type="button" class="button button--secondary" onClick={() => setEnrolment(null)}>
                    Cancel
                  </button>
                </div>
              </form>
            </li>
          </ol>
        </section>
      ) : null}
    </>
  );
}
