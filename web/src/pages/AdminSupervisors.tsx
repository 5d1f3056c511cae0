// Supervisors on the admin page's account list: who supervises each clinical account
// (GET /api/v1/supervisors), and setting or clearing it (PUT /api/v1/users/{id}/supervisor).
// A supervisee's signed progress notes wait for their supervisor's co-signature.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError } from '../components/Field';
import { StaffPicker } from '../components/StaffPicker';
import { problemToFormErrors } from '../problem';
import type { Items, Role, StaffMember, User } from '../types';

/** GET /api/v1/supervisors: one item per supervisee with a supervisor. */
export interface Supervision {
  user_id: string;
  supervisor: { id: string; name: string };
}

/** The roles that write progress notes, so the ones a supervisor can be set for. */
export const clinicalRoles: readonly Role[] = ['clinician', 'prescriber', 'care_manager', 'peer_support'];

/** Supervisee id → supervisor, from the list. */
export function supervisorsById(list: Items<Supervision> | null): Map<string, Supervision['supervisor']> {
  return new Map((list?.items ?? []).map((s) => [s.user_id, s.supervisor]));
}

/** The account list's cell: the supervisor's name (or none) and a button to change it. */
export function SupervisorCell({ user, supervisor, known, editing, onEdit }: { user: User; supervisor?: Supervision['supervisor']; known: boolean; editing: boolean; onEdit: () => void }) {
  if (!clinicalRoles.includes(user.role)) return <span class="muted">Writes no notes</span>;
  return (
    <span class="row-actions">
      {known ? <span>{supervisor ? supervisor.name : <span class="muted">None</span>}</span> : null}
      <button type="button" class="button button--secondary button--small" onClick={onEdit} aria-pressed={editing} aria-label={`${supervisor ? 'Change' : 'Set'} supervisor of ${user.username}`}>
        {supervisor ? 'Change' : 'Set'}
      </button>
    </span>
  );
}

/** Set or clear one account's supervisor; `onDone` says what changed. */
export function SupervisorSetting({ user, current, onDone, onClose }: { user: User; current?: Supervision['supervisor']; onDone: (said: string) => void; onClose: () => void }) {
  const [chosen, setChosen] = useState<StaffMember | null>(null);
  const [error, setError] = useState('');
  const [fieldError, setFieldError] = useState('');
  const [busy, setBusy] = useState(false);
  const put = async (supervisor: StaffMember | null) => {
    setError('');
    setFieldError('');
    setBusy(true);
    try {
      await api.put(`/api/v1/users/${encodeURIComponent(user.id)}/supervisor`, { supervisor_id: supervisor ? supervisor.id : null });
      onDone(
        supervisor
          ? `${supervisor.display_name} now supervises ${user.display_name}: the notes ${user.display_name} signs wait for their co-signature.`
          : `${user.display_name} has no supervisor now: their signed notes no longer wait for a co-signature.`,
      );
    } catch (err) {
      const f = err instanceof ApiError ? problemToFormErrors(err.problem, ['supervisor_id']) : { summary: 'The supervisor could not be changed.', fields: {} as Record<string, string> };
      setError(f.summary);
      setFieldError(f.fields.supervisor_id ?? '');
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="section" aria-labelledby="supervisor-heading">
      <h2 id="supervisor-heading" tabIndex={-1} ref={(el) => el?.focus()}>
        Supervisor of {user.display_name} <span class="muted">({user.username})</span>
      </h2>
      <p>
        Progress notes that {user.display_name} signs wait for their supervisor’s co-signature. The supervisor co-signs from the client’s chart, so they need to be on
        the client’s care team.
      </p>
      {current ? (
        <p>
          Supervised by <strong>{current.name}</strong>.
        </p>
      ) : null}
      <form
        class="form"
        noValidate
        aria-labelledby="supervisor-heading"
        onSubmit={(e) => {
          e.preventDefault();
          if (chosen) void put(chosen);
          else setFieldError('Choose a colleague first.');
        }}
      >
        <FormError message={error} />
        <StaffPicker
          id="supervisor-pick"
          label={current ? 'New supervisor' : 'Supervisor'}
          hint="A clinical colleague: a clinician, prescriber, care manager or peer support worker."
          error={fieldError}
          chosen={chosen}
          onChoose={setChosen}
          exclude={new Set([user.id, ...(current ? [current.id] : [])])}
        />
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>
            Save supervisor
          </button>
          {current ? (
            <button type="button" class="button button--secondary" disabled={busy} onClick={() => void put(null)}>
              Remove supervisor
            </button>
          ) : null}
          <button type="button" class="button button--secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
