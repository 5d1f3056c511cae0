import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { FormError, TextField } from '../components/Field';
import { PageHeading } from '../components/Page';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import { durationWords, idleTimings } from '../idle';
import { completeSecondFactor, getIdleTimeoutSeconds, signIn, useSession } from '../session';
import { useLocation } from '../router';
import { focusFirstError } from './forms';

const reasons: Record<string, string> = {
  expired: 'Your session has ended. Please sign in again.',
  'signed-out': 'You have signed out.',
};

export function SignInPage() {
  const session = useSession();
  const location = useLocation();
  const asked = location.query.get('reason') ?? '';
  const reason = asked === 'idle' ? `You were signed out after ${durationWords(idleTimings(getIdleTimeoutSeconds()).signOutAfterMs)} without activity.` : reasons[asked];
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const secondFactor = session.status === 'second-factor';

  useEffect(() => focusFirstError(errors), [errors]);

  const fail = (e: unknown) => {
    if (e instanceof ApiError) setErrors(problemToFormErrors(e.problem));
    else setErrors({ summary: 'Something went wrong. Try again.', fields: {} });
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setErrors(noErrors);
    try {
      if (secondFactor) await completeSecondFactor(code.trim());
      else await signIn(username.trim(), password);
      setPassword('');
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="signin">
      <PageHeading title={secondFactor ? 'Enter your code' : 'Sign in'} />
      {reason && !errors.summary ? (
        <p class="notice" role="status">
          {reason}
        </p>
      ) : null}
      <form onSubmit={submit} noValidate class="form">
        <FormError message={errors.summary} />
        {secondFactor ? (
          <>
            <p>Open your authenticator app and enter the 6-digit code for Tend. You can also use one of your recovery codes.</p>
            <TextField
              name="code"
              label="Code"
              value={code}
              onInput={setCode}
              autoComplete="one-time-code"
              inputMode="numeric"
              spellcheck={false}
              required
              error={errors.fields.code}
            />
          </>
        ) : (
          <>
            <TextField
              name="username"
              label="Username"
              value={username}
              onInput={setUsername}
              autoComplete="username"
              spellcheck={false}
              required
              error={errors.fields.username}
            />
            <TextField
              name="password"
              label="Password"
              type="password"
              value={password}
              onInput={setPassword}
              autoComplete="current-password"
              required
              error={errors.fields.password}
            />
          </>
        )}
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>
            {secondFactor ? 'Continue' : 'Sign in'}
          </button>
        </div>
      </form>
    </div>
  );
}
