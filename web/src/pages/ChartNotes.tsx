// The chart's notes (below the appointments on "Sessions & notes"): the client's notes — signed,
// drafts and those awaiting a co-signature, each with its addenda — and "Write a note": a
// template (SOAP, DAP, BIRP) opened pre-filled with the latest measures and the risk status,
// the mental status examination as quick choices, saved as a draft and signed after a
// confirmation. A signed note is read-only; what changes after signing is an addendum.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { FormError, SelectField, TextArea } from '../components/Field';
import { Link } from '../components/Link';
import { ErrorMessage, Loading } from '../components/Page';
import { formatDateTime } from '../format';
import type { MseAnswer, MseDefinition, Note, NotePrefill, NoteTemplate, NoteTemplates } from '../noteTypes';
import { problemToFormErrors } from '../problem';
import type { Items } from '../types';
import { useGet } from '../useApi';
import './notes.css';

/** The API's summary of a refusal, or `fallback` when the server could not be reached. */
export const messageOf = (err: unknown, fallback: string) => (err instanceof ApiError ? problemToFormErrors(err.problem).summary : fallback);

/** Where a note stands, in words. */
export function statusWords(n: Pick<Note, 'status' | 'cosigner' | 'signed_at' | 'cosigned_at'>): string {
  if (n.status === 'draft') return 'Draft — not signed';
  if (n.status === 'awaiting_cosign') return `Signed ${n.signed_at ? formatDateTime(n.signed_at) : ''}, awaiting co-signature by ${n.cosigner?.name ?? 'the supervisor'}`;
  const signed = `Signed ${n.signed_at ? formatDateTime(n.signed_at) : ''}`;
  return n.cosigner && n.cosigned_at ? `${signed}, co-signed by ${n.cosigner.name} ${formatDateTime(n.cosigned_at)}` : signed;
}

/** The examination's answers in one line per domain ("Mood: low; says 'a bit brighter'"). */
export function mseLines(mse: MseDefinition, answers: Record<string, MseAnswer>): { heading: string; text: string }[] {
  return mse.domains
    .filter((d) => answers[d.id] && (answers[d.id].choices.length || answers[d.id].text))
    .map((d) => ({ heading: d.heading, text: [...answers[d.id].choices, answers[d.id].text].filter(Boolean).join('; ') }));
}

/** The sections in the template's order with the examination after `mse_after`. */
export function layout(t: NoteTemplate): ({ kind: 'section'; id: string } | { kind: 'mse' })[] {
  const out: ({ kind: 'section'; id: string } | { kind: 'mse' })[] = [];
  for (const s of t.sections) {
    out.push({ kind: 'section', id: s.id });
    if (s.id === t.mse_after) out.push({ kind: 'mse' });
  }
  return out;
}

export function NotesTab({ clientId, userId }: { clientId: string; userId: string }) {
  const base = `/api/v1/clients/${encodeURIComponent(clientId)}`;
  const list = useGet<Items<Note>>(`${base}/notes`);
  const templates = useGet<NoteTemplates>('/api/v1/note-templates');
  const [editing, setEditing] = useState<Note | null>(null);
  const [said, setSaid] = useState('');
  const items = list.data?.items ?? [];
  const t = templates.data;
  const done = (message: string) => {
    setEditing(null);
    setSaid(message);
    list.reload();
  };
  return (
    <section class="section notes" aria-labelledby="notes-heading">
      <h3 id="notes-heading">Notes</h3>
      {said ? (
        <p class="notice" role="status">
          {said}
        </p>
      ) : null}
      {list.loading && !list.data ? <Loading what="Loading notes" /> : null}
      {list.error ? <ErrorMessage message={problemToFormErrors(list.error.problem).summary} /> : null}
      {templates.error ? <ErrorMessage message={problemToFormErrors(templates.error.problem).summary} /> : null}
      {t && editing ? (
        <NoteEditor key={editing.id} note={editing} templates={t} onSaved={setEditing} onDone={done} />
      ) : null}
      {t && !editing ? <StartNote base={base} clientId={clientId} templates={t} onStarted={setEditing} /> : null}
      {list.data && items.length === 0 ? <p class="muted">No notes yet.</p> : null}
      {t
        ? items.map((n) => (
            <NoteView key={`${n.id}-${n.version}`} note={n} templates={t} userId={userId} onEdit={() => setEditing(n)} onChanged={done} editing={editing?.id === n.id} />
          ))
        : null}
    </section>
  );
}

/** "Write a note": a template, a psychotherapy note or not; opens a draft pre-filled. */
function StartNote({ base, clientId, templates, onStarted }: { base: string; clientId: string; templates: NoteTemplates; onStarted: (n: Note) => void }) {
  const [open, setOpen] = useState(false);
  const [template, setTemplate] = useState(templates.items.find((x) => x.id === 'soap')?.id ?? templates.items[0]?.id ?? '');
  const [private_, setPrivate] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  if (!open) {
    return (
      <p>
        <button type="button" class="button" onClick={() => setOpen(true)}>
          Write a note
        </button>{' '}
        <Link class="button button--secondary" href={`/group-notes/new?with=${encodeURIComponent(clientId)}`}>
          Write a group note
        </Link>
      </p>
    );
  }
  const start = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    setBusy(true);
    try {
      const pre = await api.get<NotePrefill>(`${base}/notes/prefill?template=${encodeURIComponent(template)}`);
      const note = await api.post<Note>(`${base}/notes`, { template, kind: private_ ? 'psychotherapy' : 'progress', sections: pre.sections });
      setOpen(false);
      onStarted(note);
    } catch (err) {
      setError(messageOf(err, 'The note could not be started.'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form note-start" onSubmit={start} noValidate aria-label="Write a note">
      <FormError message={error} />
      <SelectField
        name="template"
        idPrefix="note"
        label="Template"
        required
        value={template}
        onChange={setTemplate}
        options={templates.items.map((x) => ({ value: x.id, label: `${x.name} (${x.title})` }))}
      />
      <div class="field checkbox-field">
        <input id="note-psychotherapy" type="checkbox" checked={private_} onChange={(e) => setPrivate((e.currentTarget as HTMLInputElement).checked)} aria-describedby="note-psychotherapy-hint" />
        <label for="note-psychotherapy">Psychotherapy note</label>
        <p class="hint" id="note-psychotherapy-hint">
          Kept apart from the record: only you can ever read it. It is never shared, exported or shown to the client.
        </p>
      </div>
      <p class="hint">The note opens with the latest measures and the risk status filled in; change them as you need.</p>
      <button type="submit" class="button" disabled={busy}>
        Start note
      </button>{' '}
      <button type="button" class="button button--secondary" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}

/** A template's sections in order with the examination as quick choices: the fields of a note
 * being written (a draft on one chart, or the shared text of a group note). `fields` holds the
 * API's errors by field (`sections.<id>`, `mse.<domain>`). */
export function NoteFields({
  template: t,
  mse: definition,
  idBase,
  sections,
  onSections,
  answers,
  onAnswers,
  fields,
}: {
  template: NoteTemplate;
  mse: MseDefinition;
  idBase: string;
  sections: Record<string, string>;
  onSections: (s: Record<string, string>) => void;
  answers: Record<string, MseAnswer>;
  onAnswers: (a: Record<string, MseAnswer>) => void;
  fields: Record<string, string>;
}) {
  const answer = (id: string): MseAnswer => answers[id] ?? { choices: [], text: '' };
  const toggle = (id: string, choice: string, on: boolean) => {
    const a = answer(id);
    onAnswers({ ...answers, [id]: { ...a, choices: on ? [...a.choices.filter((c) => c !== choice), choice] : a.choices.filter((c) => c !== choice) } });
  };
  return (
    <>
      {layout(t).map((part) =>
        part.kind === 'section' ? (
          <TextArea
            key={part.id}
            name={`sections.${part.id}`}
            idPrefix={`note-${idBase}`}
            label={t.sections.find((s) => s.id === part.id)!.heading}
            hint={t.sections.find((s) => s.id === part.id)!.prompt}
            rows={5}
            value={sections[part.id] ?? ''}
            error={fields[`sections.${part.id}`]}
            onInput={(v) => onSections({ ...sections, [part.id]: v })}
          />
        ) : (
          <fieldset key="mse" class="mse">
            <legend>{definition.heading}</legend>
            <p class="hint">{definition.prompt}</p>
            {definition.domains.map((d) => (
              <fieldset key={d.id} class="mse-domain">
                <legend>{d.heading}</legend>
                <div class="mse-choices">
                  {d.choices.map((c) => {
                    const id = `mse-${idBase}-${d.id}-${c.replace(/[^a-z0-9]+/gi, '-')}`;
                    return (
                      <span key={c} class="mse-choice">
                        <input id={id} type="checkbox" checked={answer(d.id).choices.includes(c)} onChange={(e) => toggle(d.id, c, (e.currentTarget as HTMLInputElement).checked)} />
                        <label for={id}>{c}</label>
                      </span>
                    );
                  })}
                </div>
                <label class="visually-hidden" for={`mse-${idBase}-${d.id}-text`}>
                  {d.heading}: in your words
                </label>
                <input
                  id={`mse-${idBase}-${d.id}-text`}
                  type="text"
                  class="mse-text"
                  placeholder="In your words (optional)"
                  value={answer(d.id).text}
                  aria-invalid={fields[`mse.${d.id}`] ? 'true' : undefined}
                  onInput={(e) => onAnswers({ ...answers, [d.id]: { ...answer(d.id), text: (e.currentTarget as HTMLInputElement).value } })}
                />
              </fieldset>
            ))}
          </fieldset>
        ),
      )}
    </>
  );
}

/** A draft being written: sections, the examination as quick choices, save and sign. */
export function NoteEditor({ note, templates, onSaved, onDone }: { note: Note; templates: NoteTemplates; onSaved: (n: Note) => void; onDone: (message: string) => void }) {
  const t = templates.items.find((x) => x.id === note.template);
  const [sections, setSections] = useState<Record<string, string>>(note.sections);
  const [mse, setMse] = useState<Record<string, MseAnswer>>(note.mse);
  const [memberPart, setMemberPart] = useState(note.member_part ?? '');
  const [version, setVersion] = useState(note.version);
  const [error, setError] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [said, setSaid] = useState('');
  const [confirming, setConfirming] = useState(false);
  if (!t) return <ErrorMessage message={`The template ${note.template} is not available.`} />;
  const answer = (id: string): MseAnswer => mse[id] ?? { choices: [], text: '' };
  const save = async (): Promise<Note | null> => {
    setError('');
    setFields({});
    try {
      const body: Record<string, unknown> = { version, sections, mse: Object.fromEntries(templates.mse.domains.map((d) => [d.id, answer(d.id)])) };
      if (note.group) body.member_part = memberPart;
      const saved = await api.put<Note>(`/api/v1/notes/${encodeURIComponent(note.id)}`, body);
      setVersion(saved.version);
      onSaved(saved);
      return saved;
    } catch (err) {
      if (err instanceof ApiError) {
        const f = problemToFormErrors(err.problem, [...t.sections.map((x) => `sections.${x.id}`), 'member_part']);
        setError(f.summary);
        setFields(f.fields);
      } else {
        setError('The draft could not be saved.');
      }
      return null;
    }
  };
  const saveDraft = async (ev: Event) => {
    ev.preventDefault();
    if (await save()) setSaid('Draft saved.');
  };
  const sign = async () => {
    const saved = await save();
    if (!saved) return;
    try {
      const signed = await api.post<Note>(`/api/v1/notes/${encodeURIComponent(note.id)}/sign`, { version: saved.version });
      onDone(signed.status === 'awaiting_cosign' ? `Note signed; it now waits for ${signed.cosigner?.name ?? 'your supervisor'} to co-sign.` : 'Note signed and locked.');
    } catch (err) {
      setConfirming(false);
      setError(messageOf(err, 'The note could not be signed.'));
    }
  };
  return (
    <form class="form note-editor" onSubmit={saveDraft} noValidate aria-label={`${t.name} note (draft)`}>
      <h4>
        {t.name} note{note.kind === 'psychotherapy' ? ' — psychotherapy note, visible to you only' : ''}
      </h4>
      {said ? (
        <p class="notice" role="status">
          {said}
        </p>
      ) : null}
      <FormError message={error} />
      <NoteFields template={t} mse={templates.mse} idBase={note.id} sections={sections} onSections={setSections} answers={mse} onAnswers={setMse} fields={fields} />
      {note.group ? <TextArea name="member_part" idPrefix={`note-${note.id}`} label="This member's own part" value={memberPart} onInput={setMemberPart} rows={3} /> : null}
      {confirming ? (
        <div class="confirm" role="alertdialog" aria-labelledby={`sign-${note.id}-q`}>
          <p id={`sign-${note.id}-q`}>Sign this note? Once signed it is locked: later changes can only be added as addenda.</p>
          <button type="button" class="button" onClick={sign}>
            Sign note
          </button>{' '}
          <button type="button" class="button button--secondary" onClick={() => setConfirming(false)}>
            Keep editing
          </button>
        </div>
      ) : (
        <p>
          <button type="submit" class="button button--secondary">
            Save draft
          </button>{' '}
          <button type="button" class="button" onClick={() => setConfirming(true)}>
            Sign…
          </button>{' '}
          <button type="button" class="button button--secondary" onClick={() => onDone('')}>
            Close
          </button>
        </p>
      )}
    </form>
  );
}

/** One note as read: read-only text, its addenda, and what the reader may do with it. */
function NoteView({ note, templates, userId, onEdit, onChanged, editing }: { note: Note; templates: NoteTemplates; userId: string; onEdit: () => void; onChanged: (message: string) => void; editing: boolean }) {
  const t = templates.items.find((x) => x.id === note.template);
  const [adding, setAdding] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const mine = note.author.id === userId;
  const title = `${t?.name ?? note.template} note, ${formatDateTime(note.created_at)}, by ${note.author.name}`;
  const addAddendum = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    try {
      await api.post<Note>(`/api/v1/notes/${encodeURIComponent(note.id)}/addenda`, { text });
      setAdding(false);
      setText('');
      onChanged('Addendum added.');
    } catch (err) {
      setError(messageOf(err, 'The addendum could not be saved.'));
    }
  };
  const cosign = async () => {
    setError('');
    try {
      await api.post<Note>(`/api/v1/notes/${encodeURIComponent(note.id)}/cosign`, { version: note.version });
      onChanged('Note co-signed.');
    } catch (err) {
      setError(messageOf(err, 'The note could not be co-signed.'));
    }
  };
  const remove = async () => {
    try {
      await api.delete(`/api/v1/notes/${encodeURIComponent(note.id)}`);
      onChanged('Draft deleted.');
    } catch (err) {
      setError(messageOf(err, 'The draft could not be deleted.'));
    }
  };
  return (
    <article class={`note note--${note.status}`} aria-label={title}>
      <h4>{title}</h4>
      <p class="note-status">
        <strong>{statusWords(note)}</strong>
        {note.kind === 'psychotherapy' ? ' · Psychotherapy note (visible to you only)' : ''}
        {note.group ? ' · Group session' : ''}
      </p>
      {t
        ? layout(t).map((part) => {
            if (part.kind === 'mse') {
              const lines = mseLines(templates.mse, note.mse);
              return lines.length ? (
                <div key="mse" class="note-part">
                  <h5>{templates.mse.heading}</h5>
                  <ul class="mse-lines">
                    {lines.map((l) => (
                      <li key={l.heading}>
                        {l.heading}: {l.text}
                      </li>
                    ))}
                  </ul>
                </div>
              ) : null;
            }
            const text_ = note.sections[part.id];
            return text_ ? (
              <div key={part.id} class="note-part">
                <h5>{t.sections.find((s) => s.id === part.id)!.heading}</h5>
                <p class="note-text">{text_}</p>
              </div>
            ) : null;
          })
        : null}
      {note.group && note.member_part ? (
        <div class="note-part">
          <h5>This client's part</h5>
          <p class="note-text">{note.member_part}</p>
        </div>
      ) : null}
      {note.addenda.length ? (
        <div class="note-part addenda">
          <h5>Addenda</h5>
          <ul>
            {note.addenda.map((a) => (
              <li key={a.id}>
                <p class="note-text">{a.text}</p>
                <p class="muted">
                  {a.author.name}, {formatDateTime(a.created_at)}
                </p>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <FormError message={error} />
      {note.status === 'draft' && mine && !editing ? (
        <p>
          <button type="button" class="button button--secondary button--small" onClick={onEdit} aria-label={`Continue writing: ${title}`}>
            Continue writing
          </button>{' '}
          <button type="button" class="button button--secondary button--small" onClick={remove} aria-label={`Delete draft: ${title}`}>
            Delete draft
          </button>
        </p>
      ) : null}
      {note.status === 'awaiting_cosign' && note.cosigner?.id === userId ? (
        <p>
          <button type="button" class="button button--small" onClick={cosign} aria-label={`Co-sign: ${title}`}>
            Co-sign
          </button>
        </p>
      ) : null}
      {note.status !== 'draft' && !adding ? (
        <p>
          <button type="button" class="button button--secondary button--small" onClick={() => setAdding(true)} aria-label={`Add addendum: ${title}`}>
            Add addendum
          </button>
        </p>
      ) : null}
      {adding ? (
        <form class="form" onSubmit={addAddendum} noValidate aria-label={`Addendum to ${title}`}>
          <TextArea name="text" idPrefix={`addendum-${note.id}`} label="Addendum" hint="Signed with your name and the time when you save it." required value={text} onInput={setText} />
          <button type="submit" class="button button--small">
            Save addendum
          </button>{' '}
          <button type="button" class="button button--secondary button--small" onClick={() => setAdding(false)}>
            Cancel
          </button>
        </form>
      ) : null}
    </article>
  );
}
