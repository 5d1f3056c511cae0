import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, query } from '../api';
import { CopyButton } from '../components/CopyButton';
import { Dialog } from '../components/Dialog';
import { FormError, SelectField, TextField } from '../components/Field';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { formatDateTime, humanize } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import { staffRoles, type ApiToken, type Items, type NewToken, type Page, type Role, type User } from '../types';
import { useGet } from '../useApi';
import { CrisisWebhooks, OnCallRoster } from './AdminCrisis';
import { SupervisorCell, supervisorsById, SupervisorSetting, type Supervision } from './AdminSupervisors';
import { focusFirstError, optional } from './forms';

export function AdminPage({ me }: { me: User }) {
  const [prefix, setPrefix] = useState('');
  const [filter, setFilter] = useState('');
  const users = useGet<Page<User>>(`/api/v1/users${query({ username: filter, limit: 200 })}`);
  const [rowError, setRowError] = useState('');
  const [rowNote, setRowNote] = useState('');
  const [resetting, setResetting] = useState<User | null>(null);
  const [tokensFor, setTokensFor] = useState<User | null>(null);
  const supervisions = useGet<Items<Supervision>>('/api/v1/supervisors');
  const supervisors = supervisorsById(supervisions.data);
  const [supervising, setSupervising] = useState<User | null>(null);

  const resetTotp = async (u: User) => {
    setRowError('');
    setRowNote('');
    try {
      await api.delete(`/api/v1/users/${encodeURIComponent(u.id)}/totp`);
      setRowNote(`The authenticator of ${u.username} was reset. They sign in with their password alone until they set one up again.`);
      users.reload();
    } catch (e) {
      setRowError(e instanceof ApiError ? problemToFormErrors(e.problem).summary : 'The authenticator could not be reset.');
    } finally {
      setResetting(null);
    }
  };

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
        {rowNote ? (
          <p class="notice" role="status">
            {rowNote}
          </p>
        ) : null}
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
                  <th scope="col">Supervisor</th>
                  <th scope="col">Security</th>
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
                    <td>
                      <SupervisorCell user={u} supervisor={supervisors.get(u.id)} known={!!supervisions.data} editing={supervising?.id === u.id} onEdit={() => setSupervising(u)} />
                    </td>
                    <td>
                      <span class="row-actions">
                        {u.totp_enabled ? (
                          <button type="button" class="button button--secondary button--small" onClick={() => setResetting(u)} aria-label={`Reset authenticator of ${u.username}`}>
                            Reset authenticator
                          </button>
                        ) : null}
                        <button
                          type="button"
                          class="button button--secondary button--small"
                          onClick={() => setTokensFor(u)}
                          aria-label={`API tokens of ${u.username}`}
                          aria-pressed={tokensFor?.id === u.id}
                        >
                          API tokens
                        </button>
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
      {supervising ? (
        <SupervisorSetting
          key={supervising.id}
          user={supervising}
          current={supervisors.get(supervising.id)}
          onClose={() => setSupervising(null)}
          onDone={(said) => {
            setSupervising(null);
            setRowError('');
            setRowNote(said);
            supervisions.reload();
          }}
        />
      ) : null}
      {tokensFor ? <Tokens user={tokensFor} onClose={() => setTokensFor(null)} /> : null}
      <Dialog open={!!resetting} title="Reset this authenticator?" onClose={() => setResetting(null)} id="reset-totp">
        {resetting ? (
          <>
            <p>
              {resetting.display_name} ({resetting.username}) will no longer be asked for a code from their authenticator app, and their recovery codes stop
              working. Do this when they have lost their phone, and check it is really them first.
            </p>
            <div class="actions">
              <button type="button" class="button" onClick={() => void resetTotp(resetting)}>
                Reset authenticator
              </button>
              <button type="button" class="button button--secondary" onClick={() => setResetting(null)}>
                Cancel
              </button>
            </div>
          </>
        ) : null}
      </Dialog>
      <AddUser onAdded={users.reload} />
      <OnCallRoster names={new Map(users.data?.items.map((u) => [u.id, u.display_name]))} />
      <CrisisWebhooks />
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

function tokenState(t: ApiToken): string {
  if (t.revoked_at) return `Revoked ${formatDateTime(t.revoked_at)}`;
  if (t.expires_at && Date.parse(t.expires_at) <= Date.now()) return `Expired ${formatDateTime(t.expires_at)}`;
  return t.expires_at ? `Active until ${formatDateTime(t.expires_at)}` : 'Active, no end date';
}

function Tokens({ user, onClose }: { user: User; onClose: () => void }) {
  const path = `/api/v1/users/${encodeURIComponent(user.id)}/tokens`;
  const tokens = useGet<Page<ApiToken>>(path);
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [created, setCreated] = useState<(NewToken & { name: string }) | null>(null);
  const [busy, setBusy] = useState(false);
  const [listError, setListError] = useState('');
  useEffect(() => focusFirstError(errors), [errors]);
  useEffect(() => {
    setCreated(null);
    setErrors(noErrors);
    document.getElementById('tokens-heading')?.focus();
  }, [user.id]);

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setCreated(null);
    try {
      const body: Record<string, unknown> = {};
      if (name.trim()) body.name = name.trim();
      if (days.trim()) body.expires_in_days = Number(days.trim());
      const t = await api.post<NewToken>(path, body);
      setErrors(noErrors);
      setCreated({ ...t, name: name.trim() });
      setName('');
      tokens.reload();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['name', 'expires_in_days']) : noErrors);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (t: ApiToken) => {
    setListError('');
    try {
      await api.delete(`/api/v1/tokens/${encodeURIComponent(t.id)}`);
      if (created?.id === t.id) setCreated(null);
      tokens.reload();
    } catch (err) {
      setListError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'The token could not be revoked.');
    }
  };

  const items = tokens.data?.items ?? [];
  return (
    <section class="section" aria-labelledby="tokens-heading">
      <h2 id="tokens-heading" tabIndex={-1}>
        API tokens of {user.display_name} <span class="muted">({user.username})</span>
      </h2>
      <p>Scripts and integrations sign in with a token instead of a password. A token acts as this account, with its permissions.</p>
      {listError ? <ErrorMessage message={listError} /> : null}
      {tokens.loading && !tokens.data ? <Loading what="Loading tokens" /> : null}
      {tokens.error ? <ErrorMessage message={problemToFormErrors(tokens.error.problem).summary} /> : null}
      {tokens.data ? (
        items.length === 0 ? (
          <p>This account has no tokens.</p>
        ) : (
          <div class="table-wrap" role="region" aria-label="API tokens (table)" tabIndex={0}>
            <table class="table tokens">
              <caption class="visually-hidden">API tokens of {user.username}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((t) => (
                  <tr key={t.id}>
                    <td>{t.name || <span class="muted">No name</span>}</td>
                    <td>{formatDateTime(t.created_at)}</td>
                    <td>{t.last_used_at ? formatDateTime(t.last_used_at) : <span class="muted">Never</span>}</td>
                    <td>{tokenState(t)}</td>
                    <td>
                      {t.revoked_at ? null : (
                        <button type="button" class="button button--secondary button--small" onClick={() => void revoke(t)} aria-label={`Revoke token ${t.name || t.id}`}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
      {created ? (
        <div class="notice token-once" role="status">
          <p>
            <strong>New token{created.name ? ` “${created.name}”` : ''}.</strong> Copy it now: it will not be shown again. Keep it as safe as a password.
          </p>
          <p>
            <code class="mono token-value" id="new-token">
              {created.token}
            </code>
          </p>
          <CopyButton text={created.token} label="Copy token" what="Token" />
        </div>
      ) : null}
      <form onSubmit={create} noValidate class="form form--inline" aria-labelledby="new-token-heading">
        <h3 id="new-token-heading">Create a token</h3>
        <FormError message={errors.summary} />
        <TextField name="name" idPrefix="token" label="Name" hint="What will use it, for example “reporting script”." value={name} onInput={setName} autoComplete="off" error={errors.fields.name} />
        <TextField
          name="expires_in_days"
          idPrefix="token"
          label="Expires after (days)"
          hint="Leave empty for the server’s default."
          inputMode="numeric"
          value={days}
          onInput={setDays}
          autoComplete="off"
          error={errors.fields.expires_in_days}
        />
        <div class="actions">
          <button type="submit" class="button" disabled={busy}>
            Create token
          </button>
          <button type="button" class="button button--secondary" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
    </section>
  );
}
