// The crisis banner on every staff page: each open alert this person was notified of, most
// urgent first, in the level's colour with the level in words, the client, the reason and the
// time left to acknowledge. Imminent and high alerts sound until acknowledged (alertSound.ts).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { alertChanged, loadOpenAlerts, useOpenAlerts } from '../alertStore';
import { useAlertSound } from '../alertSound';
import { deadlineWords, levelTone, levelWords, soundsUntilAcknowledged, stepName } from '../crisis';
import { problemToFormErrors } from '../problem';
import type { Alert } from '../types';
import { Link } from './Link';

/** At most this many alerts in the banner; the rest are on the alert board. */
const shownAtOnce = 3;

/** The current time, again every `everyMs` while `running`. */
export function useNow(everyMs: number, running = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs, running]);
  return now;
}

export function AlertBanner() {
  const { mine } = useOpenAlerts();
  const sound = useAlertSound(mine.some(soundsUntilAcknowledged));
  const now = useNow(1000, mine.length > 0);
  if (!mine.length) return null;
  const more = mine.length - shownAtOnce;
  return (
    <section class="crisis-banner" aria-label="Crisis alerts">
      {mine.slice(0, shownAtOnce).map((a) => (
        <AlertLine key={a.id} alert={a} now={now} />
      ))}
      <div class="crisis-banner-foot">
        {more > 0 ? (
          <p>
            And {more} more open alert{more === 1 ? '' : 's'}: <Link href="/alerts">see the alert board</Link>.
          </p>
        ) : null}
        {sound.unsupported ? null : (
          <span class="crisis-sound">
            <button type="button" class="button button--small crisis-sound-toggle" onClick={sound.toggle}>
              Sound: {sound.on ? 'on' : 'off'}
            </button>
            {sound.blocked ? (
              <button type="button" class="button button--small crisis-sound-enable" onClick={sound.enable}>
                Click to enable sound
              </button>
            ) : null}
          </span>
        )}
      </div>
    </section>
  );
}

function AlertLine({ alert: a, now }: { alert: Alert; now: number }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const due = deadlineWords(a.deadline_at, now);

  const acknowledge = async () => {
    setBusy(true);
    setError('');
    try {
      alertChanged(await api.post<Alert>(`/api/v1/alerts/${encodeURIComponent(a.id)}/acknowledge`, {}));
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        // someone else was quicker: show the alert as it is now
        void loadOpenAlerts();
      } else {
        setError(e instanceof ApiError ? problemToFormErrors(e.problem).summary : 'The alert could not be acknowledged.');
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class={`crisis-alert crisis-alert--${levelTone(a.level)}`} data-alert-id={a.id} data-level={a.level}>
      <div role="alert" class="crisis-alert-text">
        <strong class="crisis-level">{levelWords(a.level)}:</strong> <strong>{a.client_name || 'A client'}</strong> — {a.reason}
      </div>
      <p class="crisis-alert-when">
        <span class={due.overdue ? 'crisis-overdue' : undefined}>{due.overdue ? due.text : `Acknowledge within ${due.text.replace(/ left$/, '')}`}</span>
        {a.step_name ? <span> · now with the {stepName(a.step_name)}</span> : null}
      </p>
      <div class="crisis-alert-actions">
        <button type="button" class="button button--small crisis-ack" onClick={() => void acknowledge()} disabled={busy} aria-label={`Acknowledge the alert for ${a.client_name || 'this client'}`}>
          Acknowledge
        </button>
        <Link href={`/alerts/${encodeURIComponent(a.id)}`} class="button button--small crisis-open" aria-label={`Open the alert for ${a.client_name || 'this client'}`}>
          Open
        </Link>
      </div>
      {error ? (
        <p class="crisis-alert-error" role="status">
          {error}
        </p>
      ) : null}
    </div>
  );
}
