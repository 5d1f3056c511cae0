// The chart's Sessions tab (appointments part): the client's appointments with what happened
// to each, and a form to book one. A clash with the clinician's or the room's other booking
// comes back from the server naming it, and is shown on the form.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError, SelectField, TextField } from '../components/Field';
import { ErrorMessage, Loading } from '../components/Page';
import { formatDateTime } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { Appointment, Items } from '../types';
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
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <BookAppointment
        clientId={clientId}
        onBooked={(a) => {
          setSaid(`Booked: ${formatDateTime(a.starts_at)} with ${a.clinician.name}.`);
          list.reload();
        }}
      />
    </div>
  );
}

function BookAppointment({ clientId, onBooked }: { clientId: string; onBooked: (a: Appointment) => void }) {
  const [date, setDate] = useState(today());
  const [time, setTime] = useState('10:00');
  const [minutes, setMinutes] = useState('50');
  const [kind, setKind] = useState('individual');
  const [mode, setMode] = useState('in_person');
  const [room, setRoom] = useState('');
  const [link, setLink] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  useEffect(() => focusFirstError(errors), [errors]);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    const times = sessionTimes(date, time, Number(minutes));
    if (!times) {
      setErrors({ summary: 'Please correct the marked field.', fields: { date: 'Give a date and a start time.' } });
      return;
    }
    try {
      const a = await api.post<Appointment>(`/api/v1/clients/${encodeURIComponent(clientId)}/appointments`, {
        ...times,
        kind,
        mode,
        room: mode === 'in_person' && room.trim() ? room.trim() : undefined,
        meeting_url: mode === 'video' ? link.trim() : undefined,
      });
      setErrors(noErrors);
      onBooked(a);
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 409 && err.problem.errors?.[0]?.field === 'clinician_id') {
        // The clinician is busy then: say so plainly, naming the other booking.
        setErrors({ summary: `${err.problem.errors[0].message}. Choose another time.`, fields: { time: 'This time is taken.' } });
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
      <div class="actions">
        <button type="submit" class="button">
          Book
        </button>
      </div>
    </form>
  );
}
