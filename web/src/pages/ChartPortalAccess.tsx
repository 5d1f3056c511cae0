// The chart's Portal access section: invite the client (or, for a young person under 18, a
// parent or guardian) by an e-mailed link or a code shown once on this screen; see each
// invitation's state and withdraw one still pending.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError, TextField } from '../components/Field';
import { ErrorMessage, Loading } from '../components/Page';
import { ageOn, formatDateTime } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import type { Client, Items } from '../types';
import { useGet } from '../useApi';
import { focusFirstError } from './forms';

/** GET /api/v1/clients/{id}/invitations (items); POST adds `code` once for method "code". */
export interface Invitation {
  id: string;
  client_id: string;
  kind: 'client' | 'guardian';
  method: 'email' | 'code';
  state: 'pending' | 'used' | 'expired' | 'revoked';
  email: string | null;
  guardian_name: string | null;
  relationship: string | null;
  created_by: { id: string; name: string };
  created_at: string;
  expires_at: string;
  sent_at: string | null;
  used_at: string | null;
  revoked_at: string | null;
  code?: string;
}

/** An invitation's state in words for the care team. */
export function invitationStateWords(i: Invitation): string {
  switch (i.state) {
    case 'pending':
      return i.method === 'email' ? `${i.sent_at ? 'E-mailed' : 'Waiting to be e-mailed'}, open until ${formatDateTime(i.expires_at)}` : `Open until ${formatDateTime(i.expires_at)}`;
    case 'used':
      return `Accepted ${formatDateTime(i.used_at ?? i.created_at)}`;
    case 'expired':
      return `Expired ${formatDateTime(i.expires_at)}`;
    case 'revoked':
      return `Withdrawn ${formatDateTime(i.revoked_at ?? i.created_at)}`;
  }
}

/** Who an invitation is for, in words. */
export function invitationWho(i: Invitation): string {
  return i.kind === 'guardian' ? `${i.guardian_name ?? 'Guardian'}${i.relationship ? ` (${i.relationship})` : ''}` : 'The client';
}

export function PortalAccessSection({ client }: { client: Client }) {
  const path = `/api/v1/clients/${encodeURIComponent(client.id)}/invitations`;
  const list = useGet<Items<Invitation>>(path);
  const age = ageOn(client.date_of_birth);
  const minor = age !== null && age < 18;
  const [kind, setKind] = useState<'client' | 'guardian'>('client');
  const [method, setMethod] = useState<'code' | 'email'>('code');
  const [email, setEmail] = useState('');
  const [guardianName, setGuardianName] = useState('');
  const [relationship, setRelationship] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [made, setMade] = useState<Invitation | null>(null);
  const [revokeError, setRevokeError] = useState('');
  useEffect(() => focusFirstError(errors), [errors]);

  const items = list.data?.items ?? [];
  const hasAccount = items.some((i) => i.kind === 'client' && i.state === 'used');

  const create = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setMade(null);
    const body: Record<string, string> = { kind, method };
    if (method === 'email' && email.trim()) body.email = email.trim();
    if (kind === 'guardian') {
      body.guardian_name = guardianName.trim();
      body.relationship = relationship.trim();
    }
    try {
      const inv = await api.post<Invitation>(path, body);
      setErrors(noErrors);
      setMade(inv);
      setEmail('');
      setGuardianName('');
      setRelationship('');
      list.reload();
      window.setTimeout(() => document.getElementById('invitation-made')?.focus(), 0);
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['kind', 'method', 'email', 'guardian_name', 'relationship']) : { summary: 'The invitation could not be made. Try again.', fields: {} });
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (i: Invitation) => {
    setRevokeError('');
    try {
      await api.post(`/api/v1/invitations/${encodeURIComponent(i.id)}/revoke`, {});
      if (made?.id === i.id) setMade(null);
      list.reload();
    } catch (err) {
      setRevokeError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'The invitation could not be withdrawn.');
    }
  };

  return (
    <section class="section portal-access" aria-labelledby="portal-access-heading">
      <h3 id="portal-access-heading">Portal access</h3>
      {made ? (
        <div class="notice invitation-made" id="invitation-made" tabIndex={-1} role="status">
          {made.code ? (
            <>
              <p>Give this code to {made.kind === 'guardian' ? made.guardian_name ?? 'the guardian' : 'the client'} now. It is shown only once.</p>
              <p class="invite-code" id="invite-code">
                {made.code}
              </p>
              <p>
                They open <strong>{window.location.origin}/join</strong> on their phone and type the code. It works once, until {formatDateTime(made.expires_at)}.
              </p>
            </>
          ) : (
            <p>
              An e-mail with a link is on its way to {made.email}. The link works once, until {formatDateTime(made.expires_at)}.
            </p>
          )}
          <button type="button" class="button button--secondary button--small" onClick={() => setMade(null)}>
            Done
          </button>
        </div>
      ) : null}

      {client.status === 'archived' ? (
        <p class="muted">This record is archived, so nobody can be invited to the portal.</p>
      ) : (
        <form onSubmit={create} noValidate class="form">
          <FormError message={errors.summary} />
          <fieldset class="field">
            <legend>Who is it for?</legend>
            <div class="choice-list">
              <label>
                <input type="radio" name="invite-kind" checked={kind === 'client'} onChange={() => setKind('client')} disabled={hasAccount} />{' '}
                {hasAccount ? 'The client (already has an account)' : 'The client'}
              </label>
              {minor ? (
                <label>
                  <input type="radio" name="invite-kind" checked={kind === 'guardian'} onChange={() => setKind('guardian')} /> A parent or guardian
                </label>
              ) : null}
            </div>
            {errors.fields.kind ? <p class="field-error">{errors.fields.kind}</p> : null}
          </fieldset>
          {kind === 'guardian' ? (
            <>
              <TextField name="guardian_name" idPrefix="invite" label="Their name" value={guardianName} onInput={setGuardianName} required error={errors.fields.guardian_name} />
              <TextField
                name="relationship"
                idPrefix="invite"
                label="Relationship to the client"
                hint="For example mother, father, foster carer"
                value={relationship}
                onInput={setRelationship}
                required
                error={errors.fields.relationship}
              />
            </>
          ) : null}
          <fieldset class="field">
            <legend>How?</legend>
            <div class="choice-list">
              <label>
                <input type="radio" name="invite-method" checked={method === 'code'} onChange={() => setMethod('code')} /> Show a code on this screen (valid 24 hours)
              </label>
              <label>
                <input type="radio" name="invite-method" checked={method === 'email'} onChange={() => setMethod('email')} /> Send a link by e-mail (valid 7 days)
              </label>
            </div>
            {errors.fields.method ? <p class="field-error">{errors.fields.method}</p> : null}
          </fieldset>
          {method === 'email' ? (
            <TextField
              name="email"
              idPrefix="invite"
              type="email"
              label="E-mail address"
              hint={kind === 'client' && client.email ? `Leave empty to use ${client.email}` : undefined}
              value={email}
              onInput={setEmail}
              required={kind === 'guardian' || !client.email}
              error={errors.fields.email}
            />
          ) : null}
          <div class="actions">
            <button type="submit" class="button" disabled={busy || (kind === 'client' && hasAccount)}>
              {method === 'code' ? 'Create a code' : 'Send the invitation'}
            </button>
          </div>
        </form>
      )}

      {list.loading && !list.data ? <Loading what="Loading invitations" /> : null}
      {list.error ? <ErrorMessage message={problemToFormErrors(list.error.problem).summary} /> : null}
      <FormError message={revokeError} />
      {items.length ? (
        <table class="table invitations">
          <caption class="visually-hidden">Portal invitations</caption>
          <thead>
            <tr>
              <th scope="col">For</th>
              <th scope="col">How</th>
              <th scope="col">State</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.id}>
                <td>{invitationWho(i)}</td>
                <td>{i.method === 'code' ? 'Code' : `E-mail${i.email ? ` to ${i.email}` : ''}`}</td>
                <td>{invitationStateWords(i)}</td>
                <td>
                  {i.state === 'pending' ? (
                    <button type="button" class="button button--secondary button--small" onClick={() => void revoke(i)} aria-label={`Withdraw the invitation for ${invitationWho(i)}`}>
                      Withdraw
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : list.data ? (
        <p class="muted">No portal invitations yet.</p>
      ) : null}
    </section>
  );
}
