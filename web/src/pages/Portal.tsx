import { useState } from 'preact/hooks';
import { query } from '../api';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { formatDateTime, humanize } from '../format';
import { problemToFormErrors } from '../problem';
import type { AccessEntry, CareTeamMember, Page, User } from '../types';
import { useGet } from '../useApi';

const roleWords: Record<string, string> = {
  clinician: 'A clinician',
  prescriber: 'A prescriber',
  care_manager: 'A care manager',
  peer_support: 'A peer support worker',
  front_desk: 'Front desk staff',
  analyst: 'An analyst',
  admin: 'An administrator',
  client: 'You',
};

/** What happened, in words for the client rather than for staff. */
export function plainAction(e: Pick<AccessEntry, 'action' | 'resource_kind' | 'outcome'>): string {
  if (e.outcome !== 'ok') return 'Tried to open your record but was not allowed';
  switch (e.action) {
    case 'list':
      return 'Saw your name in a list';
    case 'read':
      return e.resource_kind === 'access_log' ? 'Looked at who has seen your record' : 'Looked at your record';
    case 'create':
      return e.resource_kind === 'user' ? 'Set up your account' : 'Created your record';
    case 'update':
      return 'Changed your details';
    case 'add_member':
      return 'Added someone to your care team';
    case 'remove_member':
      return 'Took someone off your care team';
    case 'archive':
      return 'Closed your record';
    case 'restore':
      return 'Reopened your record';
    case 'break_glass':
      return 'Opened your record in an emergency';
    default:
      return humanize(e.action);
  }
}

export interface AccessGroup {
  key: number;
  who: string;
  what: string;
  /** The newest time in the group. */
  at: string;
  count: number;
  reason: string;
}

/**
 * Joins neighbouring entries (newest first) where the same person did the same thing in the
 * same minute — one page view reads several parts of a record — so the list stays readable.
 * Break-the-glass openings always stand alone, with their reason.
 */
export function groupAccess(entries: AccessEntry[], whoOf: (e: AccessEntry) => string): AccessGroup[] {
  const groups: AccessGroup[] = [];
  for (const e of entries) {
    const who = whoOf(e);
    const what = plainAction(e);
    const last = groups[groups.length - 1];
    if (last && e.action !== 'break_glass' && !last.reason && last.who === who && last.what === what && last.at.slice(0, 16) === e.at.slice(0, 16)) {
      last.count += 1;
      continue;
    }
    groups.push({ key: e.seq, who, what, at: e.at, count: 1, reason: e.action === 'break_glass' ? e.reason : '' });
  }
  return groups;
}

/** Who did it, for the client: "You", the person's name, or (for system actions) their role in words. */
export function whoSaw(e: AccessEntry, me: string, names: Map<string, string>): string {
  if (e.actor_id === me) return 'You';
  return e.actor_name || names.get(e.actor_id) || roleWords[e.actor_role] || humanize(e.actor_role);
}

const firstShown = 8;

export function PortalHome({ user }: { user: User }) {
  const clientPath = user.client_id ? `/api/v1/clients/${encodeURIComponent(user.client_id)}` : null;
  const log = useGet<Page<AccessEntry>>(clientPath ? `${clientPath}/access-log${query({ limit: 50 })}` : null);
  const team = useGet<Page<CareTeamMember>>(clientPath ? `${clientPath}/care-team` : null);
  const names = new Map<string, string>(team.data?.items.map((m) => [m.user_id, m.display_name]));
  const [showAll, setShowAll] = useState(false);
  const groups = groupAccess(log.data?.items ?? [], (e) => whoSaw(e, user.id, names));
  const shown = showAll ? groups : groups.slice(0, firstShown);

  return (
    <>
      <PageHeading title="Home">Hello, {user.display_name}</PageHeading>
      <p class="lead">This is your space in Tend. More will appear here as your care team starts using it.</p>

      <div class="cards">
        <section class="card card--urgent" aria-labelledby="help-now">
          <h2 id="help-now">Need help right now?</h2>
          <p>If you might hurt yourself or someone else, call your local emergency number now, or go to the nearest emergency department.</p>
        </section>

        <section class="card" aria-labelledby="care-team">
          <h2 id="care-team">Your care team</h2>
          {team.loading && !team.data ? <Loading /> : null}
          {team.data && team.data.items.length === 0 ? <p>No one has been added to your care team yet.</p> : null}
          {team.data && team.data.items.length > 0 ? (
            <ul class="plain-list">
              {team.data.items.map((m) => (
                <li key={m.user_id}>
                  <strong>{m.display_name}</strong> — {humanize(m.role).toLowerCase()}
                </li>
              ))}
            </ul>
          ) : null}
        </section>

        <section class="card" aria-labelledby="appointments">
          <h2 id="appointments">Appointments</h2>
          <p>Coming soon: see your next appointment here.</p>
        </section>

        <section class="card" aria-labelledby="check-in">
          <h2 id="check-in">How are you doing?</h2>
          <p>Coming soon: short check-ins you can fill in between appointments.</p>
        </section>

        <section class="card" aria-labelledby="safety-plan">
          <h2 id="safety-plan">My safety plan</h2>
          <p>Coming soon: the plan you made with your care team, always at hand.</p>
        </section>

        <section class="card" aria-labelledby="messages">
          <h2 id="messages">Messages</h2>
          <p>Coming soon: write to your care team securely.</p>
        </section>

        <section class="card card--wide" aria-labelledby="who-has-seen">
          <h2 id="who-has-seen">Who has seen my record</h2>
          <p>Every time someone opens or changes your record, Tend writes it down. Here are the latest.</p>
          {!clientPath ? <p>Your account is not linked to a record yet.</p> : null}
          {log.loading && !log.data ? <Loading /> : null}
          {log.error ? <ErrorMessage message={problemToFormErrors(log.error.problem).summary} /> : null}
          {log.data ? (
            groups.length === 0 ? (
              <p>No one has opened your record yet.</p>
            ) : (
              <>
                <ol class="access-list" id="access-list">
                  {shown.map((g) => (
                    <li key={g.key}>
                      <span class="who">{g.who}</span>
                      <span class="what">
                        {g.what}
                        {g.count > 1 ? ` (${g.count} times)` : ''}
                      </span>
                      <span class="when">{formatDateTime(g.at)}</span>
                      {g.reason ? <span class="why">Reason given: {g.reason}</span> : null}
                    </li>
                  ))}
                </ol>
                {groups.length > firstShown ? (
                  <button type="button" class="button button--secondary" aria-expanded={showAll} aria-controls="access-list" onClick={() => setShowAll(!showAll)}>
                    {showAll ? 'Show fewer' : `Show all ${groups.length}`}
                  </button>
                ) : null}
              </>
            )
          ) : null}
        </section>
      </div>
    </>
  );
}
