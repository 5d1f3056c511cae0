// The portal's Appointments card: the client's appointments still to come (when, how, where or
// the meeting link), and a way to ask the care team to move or cancel one. A request goes to
// the clinician as a call to make; the answer shows here when it comes.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError, TextField } from '../components/Field';
import { ErrorMessage, Loading } from '../components/Page';
import { formatDateTime } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { Appointment, ChangeRequest, Items } from '../types';
import { useGet } from '../useApi';

const howWords: Record<Appointment['mode'], string> = { in_person: 'In person', video: 'Video call', phone: 'Phone call' };

/** How the client attends, in their words: "In person, Room 2", "Video call", "Phone call". */
export function howToAttend(a: Pick<Appointment, 'mode' | 'room'>): string {
  return a.mode === 'in_person' && a.room ? `${howWords[a.mode]}, ${a.room}` : howWords[a.mode];
}

/** The answer to a request, in words for the client. */
export function requestWords(q: ChangeRequest): string {
  const what = q.kind === 'cancel' ? 'cancel' : 'move';
  if (q.status === 'open') return `You asked to ${what} this. Your care team will be in touch.`;
  if (q.status === 'done') return `You asked to ${what} an appointment: done.`;
  return `You asked to ${what} an appointment. Your care team replied: “${q.answer}”`;
}

export function PortalAppointments() {
  const list = useGet<Items<Appointment>>('/api/v1/me/appointments');
  const requests = useGet<Items<ChangeRequest>>('/api/v1/me/appointment-requests');
  const [asking, setAsking] = useState<{ id: string; kind: ChangeRequest['kind'] } | null>(null);
  const [said, setSaid] = useState('');
  const items = list.data?.items ?? [];
  const answered = (requests.data?.items ?? []).filter((q) => q.status !== 'open').slice(0, 3);
  return (
    <section class="card" aria-labelledby="appointments">
      <h2 id="appointments">Appointments</h2>
      {said ? (
        <p class="notice" role="status">
          {said}
        </p>
      ) : null}
      {list.loading && !list.data ? <Loading what="Loading your appointments" /> : null}
      {list.error ? <ErrorMessage message={problemToFormErrors(list.error.problem).summary} /> : null}
      {list.data && items.length === 0 ? <p>No appointments booked. Your care team will offer you one.</p> : null}
      {items.length ? (
        <ul class="portal-appointments">
          {items.map((a) => (
            <li key={`${a.id}-${a.version}`}>
              <strong>{formatDateTime(a.starts_at)}</strong>
              <span> · {howToAttend(a)}</span>
              <span> · with {a.clinician.name}</span>
              {a.meeting_url ? (
                <div>
                  <a href={a.meeting_url} rel="noopener noreferrer" target="_blank">
                    Join the video call
                  </a>
                </div>
              ) : null}
              {a.request ? (
                <p class="muted">{requestWords(a.request)}</p>
              ) : asking?.id === a.id ? (
                <AskForm
                  appointment={a}
                  kind={asking.kind}
                  onDone={(q) => {
                    setAsking(null);
                    setSaid(`Sent. Your care team will be in touch about ${formatDateTime(a.starts_at)}.`);
                    list.reload();
                    requests.reload();
                    void q;
                  }}
                  onCancel={() => setAsking(null)}
                />
              ) : a.status === 'booked' ? (
                <div class="actions">
                  <button type="button" class="button button--secondary button--small" onClick={() => setAsking({ id: a.id, kind: 'reschedule' })} aria-label={`Ask to move ${formatDateTime(a.starts_at)}`}>
                    Ask to move
                  </button>
                  <button type="button" class="button button--secondary button--small" onClick={() => setAsking({ id: a.id, kind: 'cancel' })} aria-label={`Ask to cancel ${formatDateTime(a.starts_at)}`}>
                    Ask to cancel
                  </button>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {answered.map((q) => (
        <p key={q.id} class="muted">
          {requestWords(q)}
        </p>
      ))}
    </section>
  );
}

function AskForm({ appointment, kind, onDone, onCancel }: { appointment: Appointment; kind: ChangeRequest['kind']; onDone: (q: ChangeRequest) => void; onCancel: () => void }) {
  const [message, setMessage] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    try {
      const q = await api.post<ChangeRequest>(`/api/v1/me/appointments/${encodeURIComponent(appointment.id)}/requests`, { kind, message: message.trim() || undefined });
      onDone(q);
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['message', 'kind']) : noErrors);
    }
  };
  return (
    <form class="form" onSubmit={submit} noValidate aria-label={kind === 'cancel' ? 'Ask to cancel' : 'Ask to move'}>
      <FormError message={errors.summary} />
      <TextField
        name="message"
        idPrefix={`ask-${appointment.id}`}
        label={kind === 'cancel' ? 'Anything you want to tell us (optional)' : 'Which days or times suit you better? (optional)'}
        value={message}
        onInput={setMessage}
        error={errors.fields.message}
      />
      <div class="actions">
        <button type="submit" class="button">
          {kind === 'cancel' ? 'Send: please cancel' : 'Send: please move it'}
        </button>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Keep it as it is
        </button>
      </div>
    </form>
  );
}
