// "Write a group note" (/group-notes/new): a group session written once. The clinician picks
// the members (2 to 30 clients on their care teams), a template, writes the shared sections and
// the examination, each member's own part and, for each member, the appointment the note is
// for (their appointments of the past week, today's pre-chosen); saving files a draft to each member's chart
// (POST /api/v1/group-notes). A member's chart shows the shared text and that member's own part
// only, never the other members. The drafts are signed one by one from each chart.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, query } from '../api';
import { FormError, SelectField, TextArea } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading, PageHeading } from '../components/Page';
import { formatDateTime, fullName } from '../format';
import type { MseAnswer, Note, NoteTemplates } from '../noteTypes';
import { problemToFormErrors } from '../problem';
import type { Appointment, Client, ClientSummary, Page } from '../types';
import { useGet } from '../useApi';
import { messageOf, NoteFields } from './ChartNotes';
import './notes.css';

/** The API's limits on a group (POST /api/v1/group-notes). */
export const groupSize = { min: 2, max: 30 } as const;

/** How far back a member's appointment may be to be offered for the note. */
const appointmentWindowDays = 7;

/**
 * The appointments a group note can be for: not cancelled, started within the last
 * `appointmentWindowDays` days and not in the future, newest first. The one to pre-choose is
 * today's group appointment, or today's only appointment.
 */
export function appointmentChoices(all: Appointment[], now: Date): { choices: Appointment[]; preferred: string } {
  const from = now.getTime() - appointmentWindowDays * 24 * 60 * 60 * 1000;
  const choices = all
    .filter((a) => a.status !== 'cancelled')
    .filter((a) => {
      const t = Date.parse(a.starts_at);
      return t >= from && t <= now.getTime() + 60 * 60 * 1000; // one starting within the hour counts
    })
    .sort((x, y) => Date.parse(y.starts_at) - Date.parse(x.starts_at));
  const today = choices.filter((a) => new Date(a.starts_at).toDateString() === now.toDateString());
  const group = today.filter((a) => a.kind === 'group');
  const preferred = group.length === 1 ? group[0].id : today.length === 1 ? today[0].id : '';
  return { choices, preferred };
}

type Member = Pick<ClientSummary, 'id' | 'given_name' | 'family_name'>;

interface Filed {
  group_id: string;
  items: Note[];
}

export const chartNotesPath = (clientId: string) => `/clients/${encodeURIComponent(clientId)}?tab=sessions`;

/** `withClient`: a client to start the group with (the chart the page was opened from). */
export function GroupNotePage({ withClient }: { withClient?: string | null }) {
  const templates = useGet<NoteTemplates>('/api/v1/note-templates');
  const first = useGet<Client>(withClient ? `/api/v1/clients/${encodeURIComponent(withClient)}` : null);
  const [filed, setFiled] = useState<{ members: Member[]; result: Filed } | null>(null);
  const [round, setRound] = useState(0);
  return (
    <>
      <PageHeading title="Write a group note" />
      <p>
        Write the session once. Each member gets a draft on their own chart with the shared text and their own part only: no chart shows the other members or
        what was written for them.
      </p>
      {templates.loading && !templates.data ? <Loading what="Loading note templates" /> : null}
      {templates.error ? <ErrorMessage message={problemToFormErrors(templates.error.problem).summary} /> : null}
      {filed ? (
        <Filed
          members={filed.members}
          result={filed.result}
          onAgain={() => {
            setFiled(null);
            setRound(round + 1);
          }}
        />
      ) : templates.data && (!withClient || first.data || first.error) ? (
        <GroupNoteForm key={round} templates={templates.data} initial={first.data && round === 0 ? [first.data] : []} onFiled={(members, result) => setFiled({ members, result })} />
      ) : null}
    </>
  );
}

/** Where the drafts went: one link per member's chart. */
function Filed({ members, result, onAgain }: { members: Member[]; result: Filed; onAgain: () => void }) {
  const nameOf = (clientId: string) => {
    const m = members.find((x) => x.id === clientId);
    return m ? fullName(m) : clientId;
  };
  return (
    <section class="section" aria-labelledby="filed-heading">
      <h2 id="filed-heading" tabIndex={-1} ref={(el) => el?.focus()}>
        Drafts saved to {result.items.length} charts
      </h2>
      <p class="notice" role="status">
        The group note is a draft on each member’s chart. Open each chart to read it through and sign it.
      </p>
      <ul class="group-filed">
        {result.items.map((n) => (
          <li key={n.id}>
            <Link href={chartNotesPath(n.client_id)}>{nameOf(n.client_id)}: draft note on Sessions &amp; notes</Link>
          </li>
        ))}
      </ul>
      <p>
        <button type="button" class="button button--secondary" onClick={onAgain}>
          Write another group note
        </button>
      </p>
    </section>
  );
}

function GroupNoteForm({ templates, initial, onFiled }: { templates: NoteTemplates; initial: Member[]; onFiled: (members: Member[], result: Filed) => void }) {
  const [members, setMembers] = useState<Member[]>(initial);
  const [parts, setParts] = useState<Record<string, string>>({});
  const [appts, setAppts] = useState<Record<string, string>>({});
  const [template, setTemplate] = useState(templates.items.find((x) => x.id === 'soap')?.id ?? templates.items[0]?.id ?? '');
  const [sections, setSections] = useState<Record<string, string>>({});
  const [mse, setMse] = useState<Record<string, MseAnswer>>({});
  const [error, setError] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const t = templates.items.find((x) => x.id === template);

  const add = (c: Member) => setMembers((old) => (old.some((m) => m.id === c.id) ? old : [...old, c]));
  const remove = (c: Member) => {
    setMembers((old) => old.filter((m) => m.id !== c.id));
    setFields({});
  };

  const save = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    setFields({});
    if (members.length < groupSize.min) {
      setFields({ members: `Add at least ${groupSize.min} members.` });
      setError('Please correct the marked field.');
      return;
    }
    setBusy(true);
    try {
      const body = {
        template,
        // Only what was written: an empty section stays out of every member's note.
        sections: Object.fromEntries(Object.entries(sections).filter(([, v]) => v.trim())),
        mse: Object.fromEntries(Object.entries(mse).filter(([, a]) => a.choices.length || a.text.trim())),
        members: members.map((m) => ({
          client_id: m.id,
          ...(parts[m.id]?.trim() ? { text: parts[m.id] } : {}),
          ...(appts[m.id] ? { appointment_id: appts[m.id] } : {}),
        })),
      };
      const result = await api.post<Filed>('/api/v1/group-notes', body);
      onFiled(members, result);
    } catch (err) {
      if (err instanceof ApiError) {
        const shown = ['template', 'members', ...(t?.sections.map((s) => `sections.${s.id}`) ?? []), ...members.flatMap((_, i) => [`members[${i}].client_id`, `members[${i}].text`, `members[${i}].appointment_id`])];
        const f = problemToFormErrors(err.problem, shown);
        setError(f.summary);
        setFields(f.fields);
      } else {
        setError(messageOf(err, 'The group note could not be saved.'));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="form note-editor group-note" onSubmit={save} noValidate aria-label="Group note">
      <FormError message={error} />
      <fieldset class="group-members">
        <legend>Members</legend>
        <p class="hint" id="group-members-hint">
          {groupSize.min} to {groupSize.max} clients on your care teams.
        </p>
        {fields.members ? (
          <p class="field-error" id="group-members-error">
            <span class="visually-hidden">Error: </span>
            {fields.members}
          </p>
        ) : null}
        {members.length ? (
          <ul class="group-member-list" aria-label="Chosen members">
            {members.map((m) => (
              <li key={m.id}>
                <strong>{fullName(m)}</strong>{' '}
                <button type="button" class="button button--secondary button--small" onClick={() => remove(m)} aria-label={`Remove ${fullName(m)}`}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">No members yet.</p>
        )}
        <MemberSearch chosen={members} onAdd={add} />
      </fieldset>
      <SelectField
        name="template"
        idPrefix="group"
        label="Template"
        required
        value={template}
        error={fields.template}
        onChange={setTemplate}
        options={templates.items.map((x) => ({ value: x.id, label: `${x.name} (${x.title})` }))}
      />
      {t ? (
        <section aria-labelledby="group-shared-heading">
          <h2 id="group-shared-heading">Shared text</h2>
          <p class="hint">Goes to every member’s chart. Write about the group, not about one member, and use no member’s name.</p>
          <NoteFields template={t} mse={templates.mse} idBase="group" sections={sections} onSections={setSections} answers={mse} onAnswers={setMse} fields={fields} />
        </section>
      ) : null}
      {members.length ? (
        <section aria-labelledby="group-parts-heading">
          <h2 id="group-parts-heading">Each member’s own part</h2>
          {members.map((m, i) => (
            <div key={m.id} class="group-member-part">
              <TextArea
                name={`members.${m.id}.text`}
                idPrefix="group"
                label={`${fullName(m)}’s own part`}
                hint="Only on this member’s chart."
                rows={3}
                value={parts[m.id] ?? ''}
                error={fields[`members[${i}].text`] ?? fields[`members[${i}].client_id`]}
                onInput={(v) => setParts({ ...parts, [m.id]: v })}
              />
              <MemberAppointment
                member={m}
                value={appts[m.id]}
                error={fields[`members[${i}].appointment_id`]}
                onChange={(id) => setAppts((old) => ({ ...old, [m.id]: id }))}
              />
            </div>
          ))}
        </section>
      ) : null}
      <p>
        <button type="submit" class="button" disabled={busy}>
          Save drafts to each chart
        </button>
      </p>
    </form>
  );
}

/** Find clients by name and add them to the group. */
function MemberSearch({ chosen, onAdd }: { chosen: Member[]; onAdd: (c: Member) => void }) {
  const [q, setQ] = useState('');
  const [results, setResults] = useState<ClientSummary[] | null>(null);
  const [searched, setSearched] = useState('');
  const [failed, setFailed] = useState('');
  useEffect(() => setFailed(''), [q]);
  const search = async () => {
    const term = q.trim();
    if (!term) return;
    try {
      const page = await api.get<Page<ClientSummary>>(`/api/v1/clients${query({ q: term, limit: 10 })}`);
      setResults(page.items);
      setSearched(term);
    } catch (err) {
      setResults(null);
      setFailed(messageOf(err, 'Clients could not be searched. Try again.'));
    }
  };
  const shown = (results ?? []).filter((c) => !chosen.some((m) => m.id === c.id));
  let status = failed;
  if (!failed && results) status = shown.length === 0 ? `No other clients match “${searched}”.` : `${shown.length} client${shown.length === 1 ? '' : 's'} match “${searched}”.`;
  return (
    <div class="field group-search">
      <label for="group-member-search">Find a client by name</label>
      <div class="search-row">
        <input
          id="group-member-search"
          type="search"
          value={q}
          autoComplete="off"
          spellcheck={false}
          aria-describedby="group-members-hint group-search-status"
          onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)}
          onKeyDown={(e) => {
            // Enter searches here instead of saving the whole note.
            if (e.key === 'Enter') {
              e.preventDefault();
              void search();
            }
          }}
        />
        <button type="button" class="button button--secondary" onClick={() => void search()}>
          Search
        </button>
      </div>
      <p class="hint" id="group-search-status" role="status">
        {status}
      </p>
      {shown.length ? (
        <ul class="group-matches" aria-label={`Clients matching “${searched}”`}>
          {shown.map((c) => (
            <li key={c.id}>
              {c.on_my_team === false ? (
                <span>
                  {fullName(c)} <span class="muted">(not on your care teams)</span>
                </span>
              ) : (
                <button type="button" class="button button--secondary button--small" onClick={() => onAdd(c)}>
                  Add {fullName(c)}
                </button>
              )}{' '}
              <span class="muted mono">{c.mrn}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** Which of the member's appointments the note is for (optional); today's is chosen for them. */
function MemberAppointment({ member, value, error, onChange }: { member: Member; value: string | undefined; error?: string; onChange: (id: string) => void }) {
  const list = useGet<Page<Appointment>>(`/api/v1/clients/${encodeURIComponent(member.id)}/appointments`);
  const { choices, preferred } = appointmentChoices(list.data?.items ?? [], new Date());
  useEffect(() => {
    if (value === undefined && list.data) onChange(preferred);
  }, [list.data, preferred, value]);
  if (list.error) return <p class="hint">{fullName(member)}’s appointments could not be read; the note can be saved without one.</p>;
  return (
    <SelectField
      name={`members.${member.id}.appointment_id`}
      idPrefix="group"
      label={`${fullName(member)}’s appointment`}
      hint={choices.length ? 'The session this note is for.' : 'No appointment in the past week: the note is saved without one.'}
      value={value ?? ''}
      error={error}
      onChange={onChange}
      options={[{ value: '', label: 'No appointment' }, ...choices.map((a) => ({ value: a.id, label: `${formatDateTime(a.starts_at)} · ${a.kind}${a.status === 'attended' ? ' · attended' : ''}` }))]}
    />
  );
}
