import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, query } from '../api';
import { FormError, SelectField, TextField } from '../components/Field';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { formatDateTime, humanize } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import { staffRoles, type Page, type Role, type User } from '../types';
import { useGet } from '../useApi';
import { focusFirstError, optional } from './forms';

export function AdminPage({ me }: { me: User }) {
  const [prefix, setPrefix] = useState('');
  const [filter, setFilter] = useState('');
  const users = useGet<Page<User>>(`/api/v1/users${query({ username: filter, limit: 200 })}`);
  const [rowError, setRowError] = useState('');

  const toggle = async (u: User) => {
    setRowError('');
    try {
      await api.patch(`/api/v1/users/${encodeURIComponent(u.id)}`, { disabled: !u.disabled });
      users.reload();
    } catch (e) {
      setRowError(e instanceof ApiError ? problemToFormErrors(e.problem).summary : 'The account could not be changed.');
    }
  };

  return (
    <>
      <PageHeading title="Admin" />
      <section class="section" aria-labelledby="users-heading">
        <h2 id="users-heading">Accounts</h2>
        <form
          role="search"
          class="search"
          onSubmit={(e) => {
            e.preventDefault();
            setFilter(prefix.trim());
          }}
        >
          <label for="user-filter">Find accounts by username</label>
          <div class="search-row">
            <input id="user-filter" type="search" value={prefix} spellcheck={false} autoComplete="off" onInput={(e) => setPrefix((e.currentTarget as HTMLInputElement).value)} />
            <button type="submit" class="button">
              Find
            </button>
          </div>
        </form>
        {rowError ? <ErrorMessage message={rowError} /> : null}
        {users.loading && !users.data ? <Loading what="Loading accounts" /> : null}
        {users.error ? <ErrorMessage message={problemToFormErrors(users.error.problem).summary} /> : null}
        {users.data ? (
          <div class="table-wrap" role="region" aria-label="Accounts (table)" tabIndex={0}>
            <table class="table">
              <caption class="visually-hidden">Accounts</caption>
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Second factor</th>
                  <th scope="col">Added</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((u) => (
                  <tr key={u.id}>
                    <td class="mono">{u.username}</td>
                    <td>{u.display_name}</td>
                    <td>{humanize(u.role)}</td>
                    <td>{u.totp_enabled ? 'On' : 'Off'}</td>
                    <td>{formatDateTime(u.created_at)}</td>
                    <td>
                      <span>{u.disabled ? 'Disabled' : 'Active'}</span>{' '}
                      {u.id === me.id ? (
                        <span class="muted">(you)</span>
                      ) : (
                        <button
                          type="button"
                          class="button button--secondary button--small"
                          onClick={() => void toggle(u)}
                          aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.username}`}
                        >
                          {u.disabled ? 'Enable' : 'Disable'}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
      <AddUser onAdded={users.reload} />
    </>
  );
}

const userFields = ['username', 'display_name', 'role', 'password', 'email', 'client_id'];

function AddUser({ onAdded }: { onAdded: () => void }) {
  const blank = { username: '', display_name: '', role: 'clinician' as Role, password: '', email: '', client_id: '' };
  const [v, setV] = useState(blank);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [added, setAdded] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);
  const set = (k: keyof typeof blank) => (value: string) => setV((old) => ({ ...old, [k]: value }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setAdded('');
    try {
      const body: Record<string, unknown> = {
        username: v.username.trim(),
        display_name: v.display_name.trim() || v.username.trim(),
        role: v.role,
        password: v.password,
      };
      const email = optional(v.email);
      if (email) body.email = email;
      if (v.role === 'client') body.client_id = v.client_id.trim();
      const user = await api.post<User>('/api/v1/users', body);
      setErrors(noErrors);
      setV(blank);
      setAdded(`Account ${user.username} added.`);
      onAdded();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, userFields) : noErrors);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="section" aria-labelledby="add-user-heading">
      <h2 id="add-user-heading">Add an account</h2>
      {added ? (
        <p class="notice" role="status">
          {added}
        </p>
      ) : null}
      <form onSubmit={submit} noValidate class="form">
        <FormError message={errors.summary} />
        <TextField name="username" idPrefix="user" label="Username" required value={v.username} onInput={set('username')} autoComplete="off" spellcheck={false} error={errors.fields.username} />
        <TextField name="display_name" idPrefix="user" label="Name shown to colleagues" hint="Defaults to the username." value={v.display_name} onInput={set('display_name')} autoComplete="off" error={errors.fields.display_name} />
        <SelectField
          name="role"
          idPrefix="user"
          label="Role"
          required
          value={v.role}
          onChange={set('role')}
          error={errors.fields.role}
          options={[...staffRoles.map((r) => ({ value: r, label: humanize(r) })), { value: 'client', label: 'Client (portal account)' }]}
        />
        {v.role === 'client' ? (
          <TextField
            name="client_id"
            idPrefix="user"
            label="Client record id"
            hint="Starts with cl_. The portal account sees this client’s own record."
            required
            value={v.client_id}
            onInput={set('client_id')}
            spellcheck={false}
            error={errors.fields.client_id}
          />
        ) : null}
        <TextField
          name="password"
          idPrefix="user"
          label="First password"
          type="password"
          hint="At least 12 characters. Give it to the person in a safe way, not by email."
          required
          value={v.password}
          onInput={set('password')}
          autoComplete="new-password"
          error={errors.fields.password}
        />
        <TextField name="email" idPrefix="user" label="Email" type="email" value={v.email} onInput={set('email')} autoComplete="off" spellcheck={false} error={errors.fields.email} />
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>
            Add account
          </button>
        </div>
      </form>
    </section>
  );
}
