// The chart's Sessions tab (appointments part): the client's appointments with what happened
// to each, the client's requests to move or cancel one, and a form to book one or a recurring
// series. A clash with the clinician's or the room's other booking comes back from the server
// naming it (and its date, for a series), and is shown on the form.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError, SelectField, TextField } from '../components/Field';
import { ErrorMessage, Loading } from '../components/Page';
import { formatDateTime } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { Appointment, ChangeRequest, Items } from '../types';
import { useGet } from '../useApi';
import { today } from './ChartEpisodes';
import { focusFirstError } from './forms';

const statusWords: Record<Appointment['status'], string> = {
  booked: 'Booked',
  arrived: 'Arrived',
  attended: 'Attended',
  cancelled: 'Cancelled',
  no_show: 'Did not attend',
};
const modeWords: Record<Appointment['mode'], string> = { in_person: 'In person', video: 'Video', phone: 'Phone' };
const kindWords: Record<Appointment['kind'], string> = { individual: 'Individual', couple: 'Couple', family: 'Family', group: 'Group' };

/** The start and end, as ISO instants, of a session on local `date` at `time` lasting `minutes`. */
export function sessionTimes(date: string, time: string, minutes: number): { starts_at: string; ends_at: string } | null {
  const start = new Date(`${date}T${time}`);
  if (Number.isNaN(start.getTime())) return null;
  return { starts_at: start.toISOString(), ends_at: new Date(start.getTime() + minutes * 60_000).toISOString() };
}

/** What may be recorded next for an appointment in `status`. */
export function nextStatuses(status: Appointment['status']): Appointment['status'][] {
  if (status === 'booked') return ['arrived', 'attended', 'no_show', 'cancelled'];
  if (status === 'arrived') return ['attended', 'no_show'];
  return [];
}

export function SessionsTab({ clientId }: { clientId: string }) {
  const list = useGet<Items<Appointment>>(`/api/v1/clients/${encodeURIComponent(clientId)}/appointments`);
  const [said, setSaid] = useState('');
  const [error, setError] = useState('');
  const record = async (a: Appointment, status: Appointment['status'], cancelledBy?: string) => {
    setError('');
    try {
      await api.post<Appointment>(`/api/v1/appointments/${encodeURIComponent(a.id)}/status`, { status, version: a.version, cancelled_by: cancelledBy });
      setSaid(`${formatDateTime(a.starts_at)}: ${statusWords[status].toLowerCase()}${status === 'no_show' ? ' — a follow-up call is on your tasks' : ''}.`);
      list.reload();
    } catch (err) {
      setError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'Not saved.');
    }
  };
  const cancelRest = async (a: Appointment) => {
    setError('');
    try {
      const r = await api.post<Items<Appointment>>(`/api/v1/appointment-series/${encodeURIComponent(a.series_id ?? '')}/cancel`, { cancelled_by: 'service', from: a.starts_at });
      setSaid(`Cancelled ${r.items.length} ${r.items.length === 1 ? 'appointment' : 'appointments'} of the series, from ${formatDateTime(a.starts_at)}.`);
      list.reload();
    } catch (err) {
      setError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'Not saved.');
    }
  };
  const items = list.data?.items ?? [];
  return (
    <div class="sessions">
      {said ? (
        <p class="notice" role="status">
          {said}
        </p>
      ) : null}
      <FormError message={error} />
      {list.loading && !list.data ? <Loading what="Loading appointments" /> : null}
      {list.error ? <ErrorMessage message={problemToFormErrors(list.error.problem).summary} /> : null}
      {list.data && items.length === 0 ? <p class="muted">No appointments yet.</p> : null}
      {items.length ? (
        <div class="table-wrap" role="region" aria-label="Appointments (table)" tabIndex={0}>
          <table class="table appointments">
            <caption class="visually-hidden">Appointments, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">With</th>
                <th scope="col">Session</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="visually-hidden">Record</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={`${a.id}-${a.version}`}>
                  <td>{formatDateTime(a.starts_at)}</td>
                  <td>{a.clinician.name}</td>
                  <td>
                    {kindWords[a.kind]}, {modeWords[a.mode].toLowerCase()}
                    {a.room ? ` · ${a.room}` : ''}
                    {a.meeting_url ? (
                      <>
                        {' · '}
                        <a href={a.meeting_url} rel="noopener noreferrer" target="_blank">
                          meeting link
                        </a>
                      </>
                    ) : null}
                  </td>
                  <td>
                    {statusWords[a.status]}
                    {a.status === 'cancelled' ? ` by ${a.cancelled_by === 'client' ? 'the client' : 'the service'}${a.late_cancel ? ' (late)' : ''}` : ''}
                    {a.series_id ? <span class="muted"> · series</span> : null}
                    {a.request ? (
                      <ChangeRequestNote
                        request={a.request}
                        when={formatDateTime(a.starts_at)}
                        onAnswered={(q) => {
                          setSaid(`The client's request for ${formatDateTime(a.starts_at)}: ${q.status === 'done' ? 'done' : 'declined'}.`);
                          list.reload();
                        }}
                      />
                    ) : null}
                  </td>
                  <td class="appointment-actions">
                    {nextStatuses(a.status).map((s) =>
                      s === 'cancelled' ? (
                        <span key={s}>
                          <button type="button" class="button button--secondary button--small" onClick={() => record(a, 'cancelled', 'client')} aria-label={`Client cancelled: ${formatDateTime(a.starts_at)}`}>
                            Client cancelled
                          </button>{' '}
                          <button type="button" class="button button--secondary button--small" onClick={() => record(a, 'cancelled', 'service')} aria-label={`We cancelled: ${formatDateTime(a.starts_at)}`}>
                            We cancelled
                          </button>{' '}
                        </span>
                      ) : (
                        <span key={s}>
                          <button type="button" class="button button--secondary button--small" onClick={() => record(a, s)} aria-label={`${statusWords[s]}: ${formatDateTime(a.starts_at)}`}>
                            {statusWords[s]}
                          </button>{' '}
                        </span>
                      ),
                    )}
                    {a.series_id && a.status === 'booked' ? (
                      <button type="button" class="button button--secondary button--small" onClick={() => cancelRest(a)} aria-label={`Cancel the series from here: ${formatDateTime(a.starts_at)}`}>
                        Cancel the series from here
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <BookAppointment
        clientId={clientId}
        onBooked={(booked) => {
          const a = booked[0];
          setSaid(booked.length > 1 ? `Booked ${booked.length} appointments with ${a.clinician.name}, from ${formatDateTime(a.starts_at)} to ${formatDateTime(booked[booked.length - 1].starts_at)}.` : `Booked: ${formatDateTime(a.starts_at)} with ${a.clinician.name}.`);
          list.reload();
        }}
      />
    </div>
  );
}

/** The client's open request on an appointment, with the answers the care team can give. */
function ChangeRequestNote({ request, when, onAnswered }: { request: ChangeRequest; when: string; onAnswered: (q: ChangeRequest) => void }) {
  const [declining, setDeclining] = useState(false);
  const [answer, setAnswer] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const send = async (status: 'done' | 'declined') => {
    try {
      const q = await api.post<ChangeRequest>(`/api/v1/appointment-requests/${encodeURIComponent(request.id)}`, { status, answer: answer.trim() || undefined });
      setErrors(noErrors);
      onAnswered(q);
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['answer']) : noErrors);
    }
  };
  return (
    <div class="change-request" role="note">
      <strong>The client asks to {request.kind === 'cancel' ? 'cancel' : 'move'} this.</strong>
      {request.message ? <span> “{request.message}”</span> : null}
      <FormError message={errors.summary} />
      {declining ? (
        <>
          <TextField name="answer" idPrefix={`answer-${request.id}`} label="Why not (the client reads this)" required value={answer} onInput={setAnswer} error={errors.fields.answer} />
          <button type="button" class="button button--secondary button--small" onClick={() => send('declined')}>
            Send the answer
          </button>
        </>
      ) : (
        <span>
          {' '}
          <button type="button" class="button button--secondary button--small" onClick={() => send('done')} aria-label={`Done: ${when}`}>
            Done
          </button>{' '}
          <button type="button" class="button button--secondary button--small" onClick={() => setDeclining(true)} aria-label={`Decline the request: ${when}`}>
            Decline the request
          </button>
        </span>
      )}
    </div>
  );
}

const repeatWords: Record<string, string> = { '0': 'Does not repeat', '1': 'Every week', '2': 'Every 2 weeks', '4': 'Every 4 weeks' };

function BookAppointment({ clientId, onBooked }: { clientId: string; onBooked: (a: Appointment[]) => void }) {
  const [date, setDate] = useState(today());
  const [time, setTime] = useState('10:00');
  const [minutes, setMinutes] = useState('50');
  const [kind, setKind] = useState('individual');
  const [mode, setMode] = useState('in_person');
  const [room, setRoom] = useState('');
  const [link, setLink] = useState('');
  const [every, setEvery] = useState('0');
  const [count, setCount] = useState('6');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  useEffect(() => focusFirstError(errors), [errors]);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    const times = sessionTimes(date, time, Number(minutes));
    if (!times) {
      setErrors({ summary: 'Please correct the marked field.', fields: { date: 'Give a date and a start time.' } });
      return;
    }
    const body = {
      ...times,
      kind,
      mode,
      room: mode === 'in_person' && room.trim() ? room.trim() : undefined,
      meeting_url: mode === 'video' ? link.trim() : undefined,
    };
    const path = `/api/v1/clients/${encodeURIComponent(clientId)}`;
    try {
      if (every === '0') {
        onBooked([await api.post<Appointment>(`${path}/appointments`, body)]);
      } else {
        const series = await api.post<Items<Appointment>>(`${path}/appointment-series`, { ...body, repeat: { every_weeks: Number(every), count: Number(count) } });
        onBooked(series.items);
      }
      setErrors(noErrors);
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 409 && err.problem.errors?.[0]?.field === 'clinician_id') {
        // The clinician is busy then: say so plainly, naming the other booking.
        setErrors({ summary: `${err.problem.errors[0].message}. Choose another time.`, fields: { time: 'This time is taken.' } });
        return;
      }
      if (err instanceof ApiError && err.problem.errors?.some((e) => e.field === 'repeat.count')) {
        setErrors({ summary: 'Please correct the marked field.', fields: { count: err.problem.errors.find((e) => e.field === 'repeat.count')!.message } });
        return;
      }
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['room', 'meeting_url', 'kind', 'mode']) : noErrors);
    }
  };
  return (
    <form class="form form--inline book-appointment" onSubmit={submit} noValidate aria-labelledby="book-heading">
      <h3 id="book-heading">Book an appointment</h3>
      <FormError message={errors.summary} />
      <TextField name="date" idPrefix="book" label="Date" type="date" required value={date} onInput={setDate} error={errors.fields.date} />
      <TextField name="time" idPrefix="book" label="Starts at" type="time" required value={time} onInput={setTime} error={errors.fields.time} />
      <SelectField name="minutes" idPrefix="book" label="Length" required value={minutes} onChange={setMinutes} options={['30', '50', '60', '90'].map((m) => ({ value: m, label: `${m} minutes` }))} />
      <SelectField name="kind" idPrefix="book" label="Session" required value={kind} onChange={setKind} error={errors.fields.kind} options={Object.entries(kindWords).map(([value, label]) => ({ value, label }))} />
      <SelectField name="mode" idPrefix="book" label="How" required value={mode} onChange={setMode} error={errors.fields.mode} options={Object.entries(modeWords).map(([value, label]) => ({ value, label }))} />
      {mode === 'in_person' ? <TextField name="room" idPrefix="book" label="Room" value={room} onInput={setRoom} error={errors.fields.room} /> : null}
      {mode === 'video' ? <TextField name="meeting_url" idPrefix="book" label="Meeting link" hint="https://…" required value={link} onInput={setLink} error={errors.fields.meeting_url} /> : null}
      <SelectField name="repeat" idPrefix="book" label="Repeats" required value={every} onChange={setEvery} options={Object.entries(repeatWords).map(([value, label]) => ({ value, label }))} />
      {every !== '0' ? <SelectField name="count" idPrefix="book" label="How many in all" required value={count} onChange={setCount} error={errors.fields.count} options={['2', '3', '4', '6', '8', '10', '12', '16', '20', '26', '52'].map((n) => ({ value: n, label: `${n} appointments` }))} /> : null}
      <div class="actions">
        <button type="submit" class="button">
          {every === '0' ? 'Book' : 'Book the series'}
        </button>
      </div>
    </form>
  );
}
