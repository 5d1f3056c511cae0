// The Stanley-Brown safety plan: a read view (also what is printed) and an editor of its seven
// sections as lists — add, remove and reorder lines; professionals with a name, phone and note.
// Saving sends the version that was edited: when someone else saved in between (409) the text
// typed here stays, their version can be shown beside it, and the next save goes on top of it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { completeSections, move, planIsEmpty, planSections, sectionsToSave, telHref, type ListSectionKey } from '../crisis';
import { formatDateTime } from '../format';
import { problemToFormErrors } from '../problem';
import type { SafetyPlan, SafetyPlanContact, SafetyPlanSections } from '../types';
import { FormError } from './Field';

export type PlanWording = 'staff' | 'client';

function sectionTitle(key: string, wording: PlanWording): string {
  const s = planSections.find((x) => x.key === key)!;
  return wording === 'client' ? s.mine : s.title;
}

/** The plan to read (and to print): each section with its lines, empty ones said so. */
export function SafetyPlanView({ sections, wording, headingLevel = 3 }: { sections: SafetyPlanSections; wording: PlanWording; headingLevel?: 2 | 3 }) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <ol class="plan-view">
      {planSections.map(({ key }, n) => (
        <li key={key} class="plan-section" aria-labelledby={`plan-view-${key}`}>
          <H id={`plan-view-${key}`} class="plan-section-title">
            <span class="plan-step">{n + 1}</span> {sectionTitle(key, wording)}
          </H>
          {key === 'professionals' ? (
            sections.professionals.length ? (
              <ul class="plan-lines">
                {sections.professionals.map((c, i) => (
                  <li key={i}>
                    <strong>{c.name}</strong>
                    {c.phone ? (
                      <>
                        {' '}
                        — <a href={telHref(c.phone)}>{c.phone}</a>
                      </>
                    ) : null}
                    {c.note ? <span class="muted"> ({c.note})</span> : null}
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted plan-empty">Nothing written yet.</p>
            )
          ) : sections[key as ListSectionKey].length ? (
            <ul class="plan-lines">
              {sections[key as ListSectionKey].map((line, i) => (
                <li key={i}>{line}</li>
              ))}
            </ul>
          ) : (
            <p class="muted plan-empty">Nothing written yet.</p>
          )}
        </li>
      ))}
    </ol>
  );
}

/** "Version 3, saved by Chidi Okafor on 20 Nov 2026, 10:00". */
export function versionWords(plan: Pick<SafetyPlan, 'version' | 'updated_by' | 'updated_at'>): string {
  const by = plan.updated_by?.name ? ` by ${plan.updated_by.name}` : '';
  const when = plan.updated_at ? ` on ${formatDateTime(plan.updated_at)}` : '';
  return `Version ${plan.version}, saved${by}${when}`;
}

interface EditorProps {
  /** The plan being edited; null when there is none yet (the first save sends version 0). */
  plan: SafetyPlan | null;
  wording: PlanWording;
  /** PUT {version, sections}; resolves to the saved plan. */
  save: (version: number, sections: SafetyPlanSections) => Promise<SafetyPlan>;
  /** GET the latest plan, after a conflict. */
  latest: () => Promise<SafetyPlan>;
  onSaved: (plan: SafetyPlan) => void;
  onCancel?: () => void;
  idPrefix?: string;
}

export function SafetyPlanEditor({ plan, wording, save, latest, onSaved, onCancel, idPrefix = 'plan' }: EditorProps) {
  const [draft, setDraft] = useState<SafetyPlanSections>(() => completeSections(plan?.sections));
  const [version, setVersion] = useState(plan?.version ?? 0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [conflict, setConflict] = useState(false);
  const [theirs, setTheirs] = useState<SafetyPlan | null>(null);
  const focusNext = useRef<string | null>(null);
  const root = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (!focusNext.current) return;
    document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });

  const setLines = (key: ListSectionKey, lines: string[]) => setDraft((d) => ({ ...d, [key]: lines }));
  const setContacts = (contacts: SafetyPlanContact[]) => setDraft((d) => ({ ...d, professionals: contacts }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const saved = await save(version, sectionsToSave(draft));
      setConflict(false);
      setTheirs(null);
      onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        setConflict(true);
        setError('This plan was changed by someone else since you opened it. Your text is still here: reload their version to compare, then save again.');
      } else {
        setError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'The plan could not be saved.');
      }
      window.setTimeout(() => {
        const message = root.current?.querySelector<HTMLElement>('.form-error');
        if (!message) return;
        message.tabIndex = -1;
        message.focus();
      }, 0);
    } finally {
      setBusy(false);
    }
  };

  const reloadTheirs = async () => {
    setBusy(true);
    try {
      const plan = await latest();
      setTheirs(plan);
      // the next save goes on top of theirs, with what is typed here
      setVersion(plan.version);
      setError('');
    } catch (err) {
      setError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'The latest version could not be loaded.');
    } finally {
      setBusy(false);
    }
  };

  const idOf = (key: string, i: number, part = 'line') => `${idPrefix}-${key}-${i}-${part}`;

  return (
    <form ref={root} class="plan-editor" onSubmit={submit} noValidate aria-label={wording === 'client' ? 'Edit my safety plan' : 'Edit the safety plan'}>
      <FormError message={error} />
      {conflict ? (
        <div class="actions plan-conflict">
          <button type="button" class="button button--secondary" onClick={() => void reloadTheirs()} disabled={busy}>
            Reload their version
          </button>
        </div>
      ) : null}
      {theirs ? (
        <section class="plan-theirs" aria-labelledby={`${idPrefix}-theirs`}>
          <h3 id={`${idPrefix}-theirs`}>The latest saved version</h3>
          <p class="muted">{versionWords(theirs)}. Your own text is below and has not been changed: copy anything you need from here, then save.</p>
          <SafetyPlanView sections={completeSections(theirs.sections)} wording={wording} />
        </section>
      ) : null}
      {planSections.map(({ key, hint }, n) => {
        const title = sectionTitle(key, wording);
        return (
          <fieldset key={key} class="plan-edit-section">
            <legend>
              <span class="plan-step">{n + 1}</span> {title}
            </legend>
            {wording === 'staff' ? <p class="hint">{hint}</p> : null}
            {key === 'professionals' ? (
              <ContactsEditor contacts={draft.professionals} onChange={setContacts} idOf={idOf} focus={(id) => (focusNext.current = id)} />
            ) : (
              <LinesEditor
                section={key as ListSectionKey}
                title={title}
                lines={draft[key as ListSectionKey]}
                onChange={(lines) => setLines(key as ListSectionKey, lines)}
                idOf={idOf}
                focus={(id) => (focusNext.current = id)}
              />
            )}
          </fieldset>
        );
      })}
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          {busy ? 'Saving…' : wording === 'client' ? 'Save my plan' : 'Save the plan'}
        </button>
        {onCancel ? (
          <button type="button" class="button button--secondary" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
      {planIsEmpty(draft) ? <p class="muted">An empty plan can be saved and filled in later.</p> : null}
    </form>
  );
}

interface LinesProps {
  section: ListSectionKey;
  title: string;
  lines: string[];
  onChange: (lines: string[]) => void;
  idOf: (key: string, i: number, part?: string) => string;
  focus: (id: string) => void;
}

function LinesEditor({ section, title, lines, onChange, idOf, focus }: LinesProps) {
  return (
    <>
      {lines.length ? (
        <ol class="plan-edit-lines">
          {lines.map((line, i) => (
            <li key={i}>
              <label class="visually-hidden" for={idOf(section, i)}>
                {title}, line {i + 1}
              </label>
              <input
                id={idOf(section, i)}
                type="text"
                value={line}
                onInput={(e) => onChange(lines.map((l, j) => (j === i ? (e.currentTarget as HTMLInputElement).value : l)))}
              />
              <LineButtons
                n={i}
                count={lines.length}
                what={`${title}, line ${i + 1}`}
                onMove={(to) => {
                  onChange(move(lines, i, to));
                  focus(idOf(section, to));
                }}
                onRemove={() => {
                  onChange(lines.filter((_, j) => j !== i));
                  focus(lines.length > 1 ? idOf(section, Math.max(0, i - 1)) : `${idOf(section, 0)}-add`);
                }}
              />
            </li>
          ))}
        </ol>
      ) : null}
      <button
        type="button"
        id={`${idOf(section, 0)}-add`}
        class="button button--secondary button--small"
        onClick={() => {
          onChange([...lines, '']);
          focus(idOf(section, lines.length));
        }}
        aria-label={`Add a line to ${title}`}
      >
        Add a line
      </button>
    </>
  );
}

function ContactsEditor({ contacts, onChange, idOf, focus }: { contacts: SafetyPlanContact[]; onChange: (c: SafetyPlanContact[]) => void; idOf: LinesProps['idOf']; focus: (id: string) => void }) {
  const set = (i: number, part: keyof SafetyPlanContact, value: string) => onChange(contacts.map((c, j) => (j === i ? { ...c, [part]: value } : c)));
  return (
    <>
      {contacts.length ? (
        <ol class="plan-edit-contacts">
          {contacts.map((c, i) => (
            <li key={i}>
              <div class="plan-contact-fields">
                {(['name', 'phone', 'note'] as const).map((part) => (
                  <div class="field" key={part}>
                    <label for={idOf('professionals', i, part)}>
                      {part === 'name' ? 'Name or service' : part === 'phone' ? 'Phone' : 'Note'}
                      {part === 'name' ? null : <span class="optional"> (optional)</span>}
                    </label>
                    <input
                      id={idOf('professionals', i, part)}
                      type={(part === 'phone' ? 'tel' : 'text') as 'text'}
                      value={c[part] ?? ''}
                      onInput={(e) => set(i, part, (e.currentTarget as HTMLInputElement).value)}
                    />
                  </div>
                ))}
              </div>
              <LineButtons
                n={i}
                count={contacts.length}
                what={`contact ${i + 1}${c.name ? ` (${c.name})` : ''}`}
                onMove={(to) => {
                  onChange(move(contacts, i, to));
                  focus(idOf('professionals', to, 'name'));
                }}
                onRemove={() => {
                  onChange(contacts.filter((_, j) => j !== i));
                  focus(contacts.length > 1 ? idOf('professionals', Math.max(0, i - 1), 'name') : `${idOf('professionals', 0)}-add`);
                }}
              />
            </li>
          ))}
        </ol>
      ) : null}
      <button
        type="button"
        id={`${idOf('professionals', 0)}-add`}
        class="button button--secondary button--small"
        onClick={() => {
          onChange([...contacts, { name: '', phone: '', note: '' }]);
          focus(idOf('professionals', contacts.length, 'name'));
        }}
      >
        Add a contact
      </button>
    </>
  );
}

function LineButtons({ n, count, what, onMove, onRemove }: { n: number; count: number; what: string; onMove: (to: number) => void; onRemove: () => void }) {
  return (
    <span class="line-buttons">
      <button type="button" class="button button--secondary button--small" onClick={() => onMove(n - 1)} disabled={n === 0} aria-label={`Move up: ${what}`}>
        ↑
      </button>
      <button type="button" class="button button--secondary button--small" onClick={() => onMove(n + 1)} disabled={n === count - 1} aria-label={`Move down: ${what}`}>
        ↓
      </button>
      <button type="button" class="button button--secondary button--small" onClick={onRemove} aria-label={`Remove: ${what}`}>
        Remove
      </button>
    </span>
  );
}
