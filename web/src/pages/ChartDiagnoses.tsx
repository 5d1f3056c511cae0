// The chart's "Diagnoses & medication" tab: the client's diagnoses (ICD-10-CM, found by code or
// words as you type), primary and secondary, provisional or confirmed, with the history of
// every change; and the psychiatric medication list, current and past, which prescribers
// start, change and stop. Medication changes also show on the measures' graphs.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, query } from '../api';
import { FormError, SelectField, TextArea, TextField } from '../components/Field';
import { ErrorMessage, Loading } from '../components/Page';
import { statusActionWords, statusWords } from '../diagnoses';
import { formatDate, formatDateTime } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import { useSession } from '../session';
import type { Diagnosis, DiagnosisCode, DiagnosisStatus, Items, Medication, Role } from '../types';
import { useGet } from '../useApi';
import { today } from './ChartEpisodes';
import { focusFirstError } from './forms';

const enc = encodeURIComponent;

/** Clinicians and prescribers make and change diagnoses; the rest of the care team reads them. */
export const mayDiagnose = (role: Role | null) => role === 'clinician' || role === 'prescriber';
/** Only prescribers change the medication list. */
export const mayPrescribe = (role: Role | null) => role === 'prescriber';

export function DiagnosesTab({ clientId }: { clientId: string }) {
  const session = useSession();
  const role = session.status === 'signed-in' ? session.user.role : null;
  const base = `/api/v1/clients/${enc(clientId)}`;
  const diagnoses = useGet<Items<Diagnosis>>(`${base}/diagnoses`);
  const medications = useGet<Items<Medication>>(`${base}/medications`);
  const [adding, setAdding] = useState(false);
  const [starting, setStarting] = useState(false);

  if (diagnoses.loading && !diagnoses.data) return <Loading what="Loading diagnoses" />;
  if (diagnoses.error) return <ErrorMessage message={problemToFormErrors(diagnoses.error.problem).summary} />;
  const items = diagnoses.data?.items ?? [];
  const meds = medications.data?.items ?? [];
  const current = meds.filter((m) => m.current);
  const past = meds.filter((m) => !m.current);
  return (
    <div class="diagnoses">
      <section aria-labelledby="dx-heading">
        <h3 id="dx-heading">Diagnoses</h3>
        {items.length === 0 ? <p class="muted">No diagnoses recorded.</p> : null}
        {items.map((d) => (
          <DiagnosisCard key={`${d.id}-${d.version}`} diagnosis={d} canChange={mayDiagnose(role)} onChanged={diagnoses.reload} />
        ))}
        {mayDiagnose(role) ? (
          adding ? (
            <NewDiagnosis
              clientId={clientId}
              onDone={() => {
                setAdding(false);
                diagnoses.reload();
              }}
              onCancel={() => setAdding(false)}
            />
          ) : (
            <button type="button" class="button" onClick={() => setAdding(true)}>
              Add a diagnosis
            </button>
          )
        ) : null}
      </section>
      <section aria-labelledby="med-heading">
        <h3 id="med-heading">Medication</h3>
        {medications.error ? <ErrorMessage message={problemToFormErrors(medications.error.problem).summary} /> : null}
        <h4>Current</h4>
        {current.length === 0 ? <p class="muted">No current medication.</p> : null}
        {current.map((m) => (
          <MedicationCard key={`${m.id}-${m.version}`} medication={m} canChange={mayPrescribe(role)} onChanged={medications.reload} />
        ))}
        {mayPrescribe(role) ? (
          starting ? (
            <StartMedication
              clientId={clientId}
              onDone={() => {
                setStarting(false);
                medications.reload();
              }}
              onCancel={() => setStarting(false)}
            />
          ) : (
            <button type="button" class="button" onClick={() => setStarting(true)}>
              Start a medication
            </button>
          )
        ) : null}
        {past.length ? (
          <>
            <h4>Past</h4>
            {past.map((m) => (
              <MedicationCard key={`${m.id}-${m.version}`} medication={m} canChange={false} onChanged={medications.reload} />
            ))}
          </>
        ) : null}
      </section>
    </div>
  );
}

// ---- diagnoses ----------------------------------------------------------------------------

/**
 * A combobox over the code list: typing searches after a short pause (by code, with or without
 * the dot, or by words); the arrow keys move through the matches and Enter chooses one. A
 * category (not valid for coding) narrows the search to the codes under it.
 */
export function CodePicker({ id, label, error, chosen, onChoose }: { id: string; label: string; error?: string; chosen: DiagnosisCode | null; onChoose: (c: DiagnosisCode | null) => void }) {
  const [q, setQ] = useState('');
  const [matches, setMatches] = useState<DiagnosisCode[]>([]);
  const [active, setActive] = useState(-1);
  const [failed, setFailed] = useState('');
  const latest = useRef(0);
  const listId = `${id}-list`;

  useEffect(() => {
    const term = q.trim();
    if (!term) {
      setMatches([]);
      return;
    }
    const mine = ++latest.current;
    const timer = window.setTimeout(() => {
      api
        .get<Items<DiagnosisCode>>(`/api/v1/codes${query({ q: term })}`)
        .then((r) => {
          if (mine !== latest.current) return;
          setFailed('');
          setMatches(r.items);
          setActive(-1);
        })
        .catch((e: unknown) => {
          if (mine !== latest.current) return;
          setMatches([]);
          setFailed(e instanceof ApiError && e.problem.detail ? e.problem.detail : 'Codes could not be searched. Try again.');
        });
    }, 200);
    return () => window.clearTimeout(timer);
  }, [q]);

  const choose = (c: DiagnosisCode) => {
    if (!c.billable) {
      setQ(c.code);
      return;
    }
    onChoose(c);
    setQ('');
    setMatches([]);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' && matches.length) {
      e.preventDefault();
      setActive(Math.min(active + 1, matches.length - 1));
    } else if (e.key === 'ArrowUp' && matches.length) {
      e.preventDefault();
      setActive(Math.max(active - 1, 0));
    } else if (e.key === 'Enter' && active >= 0 && matches[active]) {
      e.preventDefault();
      choose(matches[active]);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setQ('');
    }
  };

  if (chosen) {
    return (
      <div class="field code-picker" role="group" aria-labelledby={`${id}-chosen-label`}>
        <p class="field-label" id={`${id}-chosen-label`}>
          {label}
        </p>
        <p class="code-chosen">
          <strong class="mono">{chosen.code}</strong> {chosen.title}{' '}
          <button
            type="button"
            class="button button--secondary button--small"
            aria-label={`Change the code instead of ${chosen.code}`}
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
  const open = matches.length > 0;
  let status = '';
  if (failed) status = failed;
  else if (q.trim() && open) status = `${matches.length} code${matches.length === 1 ? '' : 's'} found. Use the down arrow to reach them.`;
  const errorId = `${id}-error`;
  return (
    <div class={error ? 'field field--error code-picker' : 'field code-picker'}>
      <label for={id}>{label}</label>
      <p class="hint" id={`${id}-hint`}>
        A code (F32.1, f321) or words of its name (“recurrent moderate”).
      </p>
      {error ? (
        <p class="field-error" id={errorId}>
          <span class="visually-hidden">Error: </span>
          {error}
        </p>
      ) : null}
      <input
        id={id}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open ? 'true' : 'false'}
        aria-controls={listId}
        aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={[`${id}-hint`, error ? errorId : null, `${id}-status`].filter(Boolean).join(' ')}
        value={q}
        autoComplete="off"
        spellcheck={false}
        onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={onKey}
      />
      <p id={`${id}-status`} class="hint" role="status">
        {status}
      </p>
      <ul id={listId} role="listbox" class="code-matches" aria-label="Matching codes" hidden={!open}>
        {matches.map((c, i) => (
          <li key={c.code} id={`${listId}-${i}`} role="option" aria-selected={i === active ? 'true' : 'false'} class={`code-match${i === active ? ' code-match--active' : ''}${c.billable ? '' : ' code-match--category'}`} onClick={() => choose(c)}>
            <span class="mono">{c.code}</span> {c.title}
            {c.billable ? '' : ' (category: choose a code under it)'}
          </li>
        ))}
      </ul>
    </div>
  );
}

function NewDiagnosis({ clientId, onDone, onCancel }: { clientId: string; onDone: () => void; onCancel: () => void }) {
  const [code, setCode] = useState<DiagnosisCode | null>(null);
  const [rank, setRank] = useState('primary');
  const [status, setStatus] = useState('provisional');
  const [on, setOn] = useState(today());
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    try {
      await api.post<Diagnosis>(`/api/v1/clients/${enc(clientId)}/diagnoses`, { code: code?.code ?? '', rank, status, diagnosed_on: on, note: note.trim() || undefined });
      setErrors(noErrors);
      onDone();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['code', 'rank', 'status', 'diagnosed_on', 'note']) : noErrors);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form new-diagnosis" onSubmit={submit} noValidate aria-labelledby="new-diagnosis-heading">
      <h4 id="new-diagnosis-heading">New diagnosis</h4>
      <FormError message={errors.summary} />
      <CodePicker id="diagnosis-code" label="Diagnosis code" error={errors.fields.code} chosen={code} onChoose={setCode} />
      <SelectField
        name="rank"
        idPrefix="diagnosis"
        label="Rank"
        required
        value={rank}
        onChange={setRank}
        error={errors.fields.rank}
        options={[
          { value: 'primary', label: 'Primary (the current primary becomes secondary)' },
          { value: 'secondary', label: 'Secondary' },
        ]}
      />
      <SelectField
        name="status"
        idPrefix="diagnosis"
        label="Status"
        required
        value={status}
        onChange={setStatus}
        error={errors.fields.status}
        options={[
          { value: 'provisional', label: 'Provisional' },
          { value: 'confirmed', label: 'Confirmed' },
        ]}
      />
      <TextField name="diagnosed_on" idPrefix="diagnosis" label="Diagnosed on" type="date" max={today()} required value={on} onInput={setOn} error={errors.fields.diagnosed_on} />
      <TextArea name="note" idPrefix="diagnosis" label="Note" rows={2} value={note} onInput={setNote} error={errors.fields.note} />
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          Add the diagnosis
        </button>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function DiagnosisCard({ diagnosis: d, canChange, onChanged }: { diagnosis: Diagnosis; canChange: boolean; onChanged: () => void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const headingId = `dx-${d.id}`;
  const change = async (body: { status?: DiagnosisStatus; rank?: string }) => {
    setBusy(true);
    try {
      await api.post<Diagnosis>(`/api/v1/diagnoses/${enc(d.id)}`, { ...body, version: d.version });
      setError('');
      onChanged();
    } catch (err) {
      setError(err instanceof ApiError ? problemToFormErrors(err.problem).summary : 'The change could not be saved. Try again.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class={`diagnosis diagnosis--${d.current ? 'current' : 'closed'}`} aria-labelledby={headingId}>
      <h4 id={headingId}>
        <span class="mono">{d.code}</span> {d.title} <span class={`tag tag--${d.rank === 'primary' ? 'info' : 'muted'}`}>{d.rank === 'primary' ? 'Primary' : 'Secondary'}</span> <span class={`tag tag--${d.current ? 'info' : 'muted'}`}>{statusWords[d.status]}</span>
      </h4>
      <p class="muted">
        Diagnosed on {formatDate(d.diagnosed_on)} by {d.diagnosed_by.name}
      </p>
      {d.note ? <p>{d.note}</p> : null}
      <details>
        <summary>History of {d.code}</summary>
        <ol>
          {d.history.map((h, i) => (
            <li key={i}>
              {formatDateTime(h.at)}: {h.from_status ? (h.from_status !== h.to_status ? `${statusWords[h.from_status]} → ${statusWords[h.to_status]}` : '') : `Made ${statusWords[h.to_status].toLowerCase()}`}
              {h.from_rank && h.from_rank !== h.to_rank ? `${h.from_status !== h.to_status ? '; ' : ''}${h.from_rank} → ${h.to_rank}` : !h.from_rank ? `, ${h.to_rank}` : ''}
              {h.note ? ` (${h.note})` : ''}
            </li>
          ))}
        </ol>
      </details>
      {error ? (
        <p class="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {canChange && d.current ? (
        <div class="actions">
          {d.next.map((s) => (
            <button key={s} type="button" class="button button--secondary button--small" disabled={busy} onClick={() => change({ status: s })} aria-label={`${statusActionWords[s]} ${d.code}`}>
              {statusActionWords[s]}
            </button>
          ))}
          {d.rank === 'secondary' ? (
            <button type="button" class="button button--secondary button--small" disabled={busy} onClick={() => change({ rank: 'primary' })} aria-label={`Make ${d.code} primary`}>
              Make primary
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

// ---- medications --------------------------------------------------------------------------

const changeWords = { start: 'Started', dose: 'Dose changed', stop: 'Stopped' } as const;

function MedicationCard({ medication: m, canChange, onChanged }: { medication: Medication; canChange: boolean; onChanged: () => void }) {
  const [changing, setChanging] = useState(false);
  const headingId = `med-${m.id}`;
  return (
    <section class={`medication medication--${m.current ? 'current' : 'past'}`} aria-labelledby={headingId}>
      <h5 id={headingId}>
        {m.name} {m.dose}, {m.route}, {m.frequency}
      </h5>
      <p class="muted">
        Since {formatDate(m.started_on)}
        {m.stopped_on ? `, stopped ${formatDate(m.stopped_on)}` : ''}
        {m.reason ? ` · for ${m.reason}` : ''}
      </p>
      <ol class="medication-changes" aria-label={`Changes of ${m.name}`}>
        {m.changes.map((c, i) => (
          <li key={i}>
            <time dateTime={c.on}>{formatDate(c.on)}</time> {changeWords[c.kind]}
            {c.kind === 'stop' ? '' : ` ${c.dose}, ${c.frequency}`} by {c.by.name}
            {c.reason ? ` (${c.reason})` : ''}
          </li>
        ))}
      </ol>
      {canChange && m.current ? (
        changing ? (
          <ChangeMedication
            medication={m}
            onDone={() => {
              setChanging(false);
              onChanged();
            }}
            onCancel={() => setChanging(false)}
          />
        ) : (
          <button type="button" class="button button--secondary button--small" onClick={() => setChanging(true)} aria-label={`Change or stop ${m.name}`}>
            Change or stop
          </button>
        )
      ) : null}
    </section>
  );
}

function StartMedication({ clientId, onDone, onCancel }: { clientId: string; onDone: () => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [dose, setDose] = useState('');
  const [route, setRoute] = useState('oral');
  const [frequency, setFrequency] = useState('');
  const [on, setOn] = useState(today());
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    try {
      await api.post<Medication>(`/api/v1/clients/${enc(clientId)}/medications`, { name: name.trim(), dose: dose.trim(), route: route.trim(), frequency: frequency.trim(), started_on: on, reason: reason.trim() || undefined });
      setErrors(noErrors);
      onDone();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['name', 'dose', 'route', 'frequency', 'started_on', 'reason']) : noErrors);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form start-medication" onSubmit={submit} noValidate aria-labelledby="start-medication-heading">
      <h4 id="start-medication-heading">Start a medication</h4>
      <FormError message={errors.summary} />
      <TextField name="name" idPrefix="medication" label="Medication" required value={name} onInput={setName} error={errors.fields.name} />
      <TextField name="dose" idPrefix="medication" label="Dose" hint="With its unit, e.g. 50 mg." required value={dose} onInput={setDose} error={errors.fields.dose} />
      <TextField name="route" idPrefix="medication" label="Route" required value={route} onInput={setRoute} error={errors.fields.route} />
      <TextField name="frequency" idPrefix="medication" label="How often" hint="E.g. once daily, at night." required value={frequency} onInput={setFrequency} error={errors.fields.frequency} />
      <TextField name="started_on" idPrefix="medication" label="Started on" type="date" max={today()} required value={on} onInput={setOn} error={errors.fields.started_on} />
      <TextField name="reason" idPrefix="medication" label="Reason" value={reason} onInput={setReason} error={errors.fields.reason} />
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          Start the medication
        </button>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ChangeMedication({ medication: m, onDone, onCancel }: { medication: Medication; onDone: () => void; onCancel: () => void }) {
  const [kind, setKind] = useState('dose');
  const [on, setOn] = useState(today());
  const [dose, setDose] = useState(m.dose);
  const [frequency, setFrequency] = useState(m.frequency);
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  useEffect(() => focusFirstError(errors), [errors]);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    try {
      await api.post<Medication>(`/api/v1/medications/${enc(m.id)}/changes`, {
        kind,
        on,
        dose: kind === 'dose' ? dose.trim() : undefined,
        frequency: kind === 'dose' ? frequency.trim() : undefined,
        reason: reason.trim() || undefined,
        version: m.version,
      });
      setErrors(noErrors);
      onDone();
    } catch (err) {
      setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, ['kind', 'on', 'dose', 'frequency', 'reason']) : noErrors);
    } finally {
      setBusy(false);
    }
  };
  const prefix = `medchange-${m.id}`;
  return (
    <form class="form form--inline change-medication" onSubmit={submit} noValidate aria-label={`Change or stop ${m.name}`}>
      <FormError message={errors.summary} />
      <SelectField
        name="kind"
        idPrefix={prefix}
        label="Change"
        required
        value={kind}
        onChange={setKind}
        error={errors.fields.kind}
        options={[
          { value: 'dose', label: 'Change the dose' },
          { value: 'stop', label: 'Stop' },
        ]}
      />
      <TextField name="on" idPrefix={prefix} label="On" type="date" max={today()} required value={on} onInput={setOn} error={errors.fields.on} />
      {kind === 'dose' ? <TextField name="dose" idPrefix={prefix} label="New dose" required value={dose} onInput={setDose} error={errors.fields.dose} /> : null}
      {kind === 'dose' ? <TextField name="frequency" idPrefix={prefix} label="How often" required value={frequency} onInput={setFrequency} error={errors.fields.frequency} /> : null}
      <TextField name="reason" idPrefix={prefix} label="Reason" value={reason} onInput={setReason} error={errors.fields.reason} />
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          Record the change
        </button>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
