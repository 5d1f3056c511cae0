// Follow-up tasks (calls, letters, reviews): "My tasks" on the home page, overdue first, and
// the client's tasks on the chart with a form to add one. Done asks what happened.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError, SelectField, TextField } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading } from '../components/Page';
import { formatDate } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { Items, Task } from '../types';
import { useGet } from '../useApi';
import { today } from './ChartEpisodes';
import { focusFirstError } from './forms';

export const taskKinds: { value: Task['kind']; label: string }[] = [
  { value: 'call', label: 'Call' },
  { value: 'letter', label: 'Letter' },
  { value: 'review', label: 'Review' },
  { value: 'other', label: 'Other' },
];

const kindWord = (k: Task['kind']) => taskKinds.find((x) => x.value === k)?.label ?? k;

function DueCell({ t }: { t: Task }) {
  if (t.status !== 'open') return <>{t.status === 'done' ? 'Done' : 'Cancelled'}</>;
  if (t.due === 'overdue') {
    return (
      <>
        <span class="due due--overdue">Overdue </span>
        <span class="muted">(due {formatDate(t.due_on)})</span>
      </>
    );
  }
  return <>{t.due === 'today' ? 'Today' : formatDate(t.due_on)}</>;
}

/** One open task's "Done" control: what happened, then done. */
function DoneButton({ t, onDone }: { t: Task; onDone: (message: string) => void }) {
  const [open, setOpen] = useState(false);
  const [outcome, setOutcome] = useState('');
  const [error, setError] = useState('');
  const done = async (ev: Event) => {
    ev.preventDefault();
    try {
      await api.post<Task>(`/api/v1/tasks/${encodeURIComponent(t.id)}/done`, { version: t.version, outcome: outcome.trim() || undefined });
      setOpen(false);
      onDone(`${kindWord(t.kind)} for ${t.client_name} done.`);
    } catch (err) {
      setError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'The task could not be saved.');
    }
  };
  if (!open) {
    return (
      <button type="button" class="button button--secondary button--small" onClick={() => setOpen(true)} aria-label={`Done: ${t.title} (${t.client_name})`}>
        Done
      </button>
    );
  }
  return (
    <form class="form task-done" onSubmit={done} noValidate>
      <FormError message={error} />
      <TextField name="outcome" idPrefix={`task-${t.id}`} label="What happened?" value={outcome} onInput={setOutcome} />
      <button type="submit" class="button button--small">
        Mark done
      </button>
    </form>
  );
}

function TaskTable({ tasks, caption, showClient, onChanged }: { tasks: Task[]; caption: string; showClient: boolean; onChanged: (message: string) => void }) {
  return (
    <div class="table-wrap" role="region" aria-label={`${caption} (table)`} tabIndex={0}>
      <table class="table tasks">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Due</th>
            {showClient ? <th scope="col">Client</th> : null}
            <th scope="col">Task</th>
            {showClient ? null : <th scope="col">Who</th>}
            <th scope="col">
              <span class="visually-hidden">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((t) => (
            <tr key={`${t.id}-${t.version}`} class={t.due === 'overdue' ? 'overdue' : undefined}>
              <td>
                <DueCell t={t} />
              </td>
              {showClient ? (
                <td>
                  <Link href={`/clients/${encodeURIComponent(t.client_id)}?tab=episodes`}>{t.client_name}</Link>
                </td>
              ) : null}
              <td>
                {kindWord(t.kind)}: {t.title}
                {t.outcome ? <span class="muted"> — {t.outcome}</span> : null}
              </td>
              {showClient ? null : <td>{t.owner.name}</td>}
              <td>{t.status === 'open' ? <DoneButton t={t} onDone={onChanged} /> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The home page's "My tasks": the caller's open tasks, overdue first. */
export function MyTasksSection() {
  const tasks = useGet<Items<Task>>('/api/v1/tasks');
  const [said, setSaid] = useState('');
  const items = tasks.data?.items ?? [];
  return (
    <section aria-labelledby="tasks-heading" class="section">
      <h2 id="tasks-heading">My tasks</h2>
      {said ? (
        <p class="notice" role="status">
          {said}
        </p>
      ) : null}
      {tasks.loading && !tasks.data ? <Loading what="Loading your tasks" /> : null}
      {tasks.error ? <ErrorMessage message={problemToFormErrors(tasks.error.problem).summary} /> : null}
      {tasks.data && items.length === 0 ? <p>No tasks to do.</p> : null}
      {items.length ? (
        <TaskTable
          tasks={items}
          caption="My tasks, overdue first"
          showClient
          onChanged={(m) => {
            setSaid(m);
            tasks.reload();
          }}
        />
      ) : null}
    </section>
  );
}

/** The chart's tasks for one client, with a form to add one. */
export function ClientTasks({ clientId }: { clientId: string }) {
  const tasks = useGet<Items<Task>>(`/api/v1/clients/${encodeURIComponent(clientId)}/tasks`);
  const [kind, setKind] = useState<string>('call');
  const [title, setTitle] = useState('');
  const [due, setDue] = useState(today());
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [said, setSaid] = useState('');
  useEffect(() => focusFirstError(errors), [errors]);
  const add = async (ev: Event) => {
    ev.preventDefault();
    try {
      await api.post<Task>(`/api/v1/clients/${encodeURIComponent(clientId)}/tasks`, { kind, title: title.trim(), due_on: due });
      setErrors(noErrors);
      setTitle('');
      setSaid('Task added.');
      tasks.reload();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['kind', 'title', 'due_on', 'owner_id']) : noErrors);
    }
  };
  const items = tasks.data?.items ?? [];
  return (
    <section aria-labelledby="client-tasks-heading" class="section client-tasks">
      <h3 id="client-tasks-heading">Follow-up tasks</h3>
      {said ? (
        <p class="notice" role="status">
          {said}
        </p>
      ) : null}
      {tasks.error ? <ErrorMessage message={problemToFormErrors(tasks.error.problem).summary} /> : null}
      {items.length ? (
        <TaskTable
          tasks={items}
          caption="Follow-up tasks for this client"
          showClient={false}
          onChanged={(m) => {
            setSaid(m);
            tasks.reload();
          }}
        />
      ) : tasks.data ? (
        <p class="muted">No tasks.</p>
      ) : null}
      <form class="form form--inline add-task" onSubmit={add} noValidate aria-label="Add a task">
        <FormError message={errors.summary} />
        <SelectField name="kind" idPrefix="task" label="Kind" required value={kind} onChange={setKind} error={errors.fields.kind} options={taskKinds} />
        <TextField name="title" idPrefix="task" label="Task" required value={title} onInput={setTitle} error={errors.fields.title} />
        <TextField name="due_on" idPrefix="task" label="Due" type="date" required value={due} onInput={setDue} error={errors.fields.due_on} />
        <div class="actions">
          <button type="submit" class="button">
            Add the task
          </button>
        </div>
      </form>
    </section>
  );
}
