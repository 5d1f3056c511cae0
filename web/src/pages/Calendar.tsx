// A clinician's week: their appointments day by day, Monday to Sunday, with who each is with
// (a link to the chart) and how. A colleague's week shows when they are busy, not with whom,
// for finding a time together. Cancelled appointments are left out of the busy times.
import { useState } from 'preact/hooks';
import { query } from '../api';
import { SelectField } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { problemToFormErrors } from '../problem';
import type { Appointment, Items, StaffMember, User } from '../types';
import { useGet } from '../useApi';

const statusWords: Record<Appointment['status'], string> = {
  booked: 'Booked',
  arrived: 'Arrived',
  attended: 'Attended',
  cancelled: 'Cancelled',
  no_show: 'Did not attend',
};
const modeWords: Record<Appointment['mode'], string> = { in_person: 'in person', video: 'video', phone: 'phone' };

/** Local midnight of the Monday of the week `d` falls in. */
export function mondayOf(d: Date): Date {
  const m = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  m.setDate(m.getDate() - ((m.getDay() + 6) % 7));
  return m;
}

/** The seven local days from `monday`, each with the appointments that start on it (in order). */
export function byDay(monday: Date, items: readonly Appointment[]): { day: Date; items: Appointment[] }[] {
  const days = Array.from({ length: 7 }, (_, i) => new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + i));
  return days.map((day) => {
    const next = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1);
    return {
      day,
      items: items
        .filter((a) => {
          const t = new Date(a.starts_at);
          return t >= day && t < next;
        })
        .sort((a, b) => a.starts_at.localeCompare(b.starts_at)),
    };
  });
}

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'short' });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function CalendarPage({ user }: { user: User }) {
  const [monday, setMonday] = useState(() => mondayOf(new Date()));
  const [who, setWho] = useState('me');
  const sunday = new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + 7);
  const week = useGet<Items<Appointment>>(`/api/v1/appointments${query({ clinician: who, from: monday.toISOString(), to: sunday.toISOString() })}`);
  const staff = useGet<Items<StaffMember>>(`/api/v1/staff${query({ limit: 100 })}`);
  const colleagues = (staff.data?.items ?? []).filter((s) => s.id !== user.id && s.role !== 'front_desk' && s.role !== 'analyst' && s.role !== 'admin');
  const mine = who === 'me' || who === user.id;
  const move = (weeks: number) => setMonday(new Date(monday.getFullYear(), monday.getMonth(), monday.getDate() + weeks * 7));
  const days = byDay(
    monday,
    (week.data?.items ?? []).filter((a) => mine || a.status !== 'cancelled'),
  );
  const title = `Week of ${dayFormat.format(monday)}`;
  return (
    <>
      <PageHeading title="Calendar" />
      <div class="calendar-controls">
        <button type="button" class="button button--secondary button--small" onClick={() => move(-1)}>
          Previous week
        </button>
        <button type="button" class="button button--secondary button--small" onClick={() => setMonday(mondayOf(new Date()))}>
          This week
        </button>
        <button type="button" class="button button--secondary button--small" onClick={() => move(1)}>
          Next week
        </button>
        <SelectField
          name="clinician"
          idPrefix="calendar"
          label="Whose calendar"
          required
          value={who}
          onChange={setWho}
          options={[{ value: 'me', label: 'Mine' }, ...colleagues.map((c) => ({ value: c.id, label: `${c.display_name} (busy times)` }))]}
        />
      </div>
      <h2 id="week-heading">{title}</h2>
      {week.loading && !week.data ? <Loading what="Loading the week" /> : null}
      {week.error ? <ErrorMessage message={problemToFormErrors(week.error.problem).summary} /> : null}
      {week.data ? (
        <div class="calendar-week" aria-labelledby="week-heading">
          {days.map(({ day, items }) => (
            <section class="calendar-day" key={day.toISOString()} aria-label={dayFormat.format(day)}>
              <h3>{dayFormat.format(day)}</h3>
              {items.length === 0 ? <p class="muted">Free</p> : null}
              <ul>
                {items.map((a) => (
                  <li key={a.id} class={`calendar-item calendar-item--${a.status}`}>
                    <time dateTime={a.starts_at}>{timeFormat.format(new Date(a.starts_at))}</time>–<time dateTime={a.ends_at}>{timeFormat.format(new Date(a.ends_at))}</time>{' '}
                    {a.client_id && a.client_name ? (
                      <Link href={`/clients/${encodeURIComponent(a.client_id)}?tab=sessions`}>{a.client_name}</Link>
                    ) : (
                      <span>Busy</span>
                    )}
                    <span class="muted">
                      {' '}
                      · {modeWords[a.mode]}
                      {a.room ? `, ${a.room}` : ''}
                      {mine && a.status !== 'booked' ? ` · ${statusWords[a.status].toLowerCase()}` : ''}
                      {a.request ? ' · the client asks for a change' : ''}
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      ) : null}
    </>
  );
}
