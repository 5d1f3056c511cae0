// "Find a colleague": a labelled search box whose matches (GET /api/v1/staff) are a list of
// buttons. Typing searches after a short pause; Tab or the arrow keys reach the matches, Enter
// or a click chooses one. The number of matches is announced.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, query } from '../api';
import { humanize } from '../format';
import type { Page, StaffMember } from '../types';

interface Props {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  chosen: StaffMember | null;
  onChoose: (member: StaffMember | null) => void;
  /** Ids not to offer (already on the team). */
  exclude?: Set<string>;
}

const waitMs = 250;

export function StaffPicker({ id, label, hint, error, chosen, onChoose, exclude }: Props) {
  const [q, setQ] = useState('');
  const [matches, setMatches] = useState<StaffMember[] | null>(null);
  const [failed, setFailed] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const latest = useRef(0);

  useEffect(() => {
    const term = q.trim();
    if (!term) {
      setMatches(null);
      return;
    }
    const mine = ++latest.current;
    const timer = window.setTimeout(() => {
      api
        .get<Page<StaffMember>>(`/api/v1/staff${query({ q: term, limit: 10 })}`)
        .then((page) => {
          if (mine !== latest.current) return;
          setFailed('');
          setMatches(page.items);
        })
        .catch((e: unknown) => {
          if (mine !== latest.current) return;
          setMatches(null);
          setFailed(e instanceof ApiError && e.problem.detail ? e.problem.detail : 'Colleagues could not be searched. Try again.');
        });
    }, waitMs);
    return () => window.clearTimeout(timer);
  }, [q]);

  const shown = (matches ?? []).filter((m) => !exclude?.has(m.id));
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const statusId = `${id}-status`;
  const describedBy = [hint ? hintId : null, error ? errorId : null, statusId].filter(Boolean).join(' ');

  const choose = (m: StaffMember) => {
    onChoose(m);
    setQ('');
    setMatches(null);
  };

  const buttons = () => Array.from(list.current?.querySelectorAll<HTMLButtonElement>('button') ?? []);
  const onInputKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' && shown.length) {
      e.preventDefault();
      buttons()[0]?.focus();
    } else if (e.key === 'Escape' && q) {
      e.preventDefault();
      setQ('');
    }
  };
  const onListKey = (e: KeyboardEvent) => {
    const all = buttons();
    const at = all.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      all[Math.min(at + 1, all.length - 1)]?.focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (at <= 0) input.current?.focus();
      else all[at - 1]?.focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      input.current?.focus();
    }
  };

  if (chosen) {
    return (
      <div class="field staff-picker" role="group" aria-labelledby={`${id}-chosen-label`}>
        <p class="field-label" id={`${id}-chosen-label`}>
          {label}
        </p>
        <p class="staff-chosen">
          <strong>{chosen.display_name}</strong> <span class="muted">({chosen.username}, {humanize(chosen.role)})</span>{' '}
          <button
            type="button"
            class="button button--secondary button--small"
            aria-label={`Change: choose someone else instead of ${chosen.display_name}`}
            onClick={() => {
              onChoose(null);
              window.setTimeout(() => document.getElementById(id)?.focus(), 0);
            }}
          >
            Change
          </button>
        </p>
      </div>
    );
  }

  let status = '';
  if (failed) status = failed;
  else if (matches && q.trim()) status = shown.length === 0 ? 'No colleagues match.' : `${shown.length} colleague${shown.length === 1 ? '' : 's'} found. Use Tab or the down arrow to reach them.`;

  return (
    <div class={error ? 'field field--error staff-picker' : 'field staff-picker'}>
      <label for={id}>{label}</label>
      {hint ? (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={errorId}>
          <span class="visually-hidden">Error: </span>
          {error}
        </p>
      ) : null}
      <input
        ref={input}
        id={id}
        type="search"
        value={q}
        autoComplete="off"
        spellcheck={false}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy}
        onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={onInputKey}
      />
      <p id={statusId} class="hint" role="status">
        {status}
      </p>
      {shown.length ? (
        <ul class="staff-matches" ref={list} aria-label={`Colleagues matching “${q.trim()}”`} onKeyDown={onListKey}>
          {shown.map((m) => (
            <li key={m.id}>
              <button type="button" class="staff-match" onClick={() => choose(m)}>
                <strong>{m.display_name}</strong> <span class="muted">({m.username}, {humanize(m.role)})</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
