// /portal/check-in — the daily check-in, made for one thumb on a phone in under a minute: mood
// first (faces and words, big targets), everything else optional taps, one Save. Saving a day
// again replaces that day's check-in. Without a signal the check-in is kept on this phone and
// sent when the connection returns (checkInQueue.ts). When what was said made Tend tell the
// care team, the page says so at once, calmly, with the crisis lines and "I need help now".
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, query } from '../api';
import { dismissRefused, keep, keepFactors, keepRecent, keptFactors, keptRecent, outcomeOf, useQueue, wasAlerted, type PortalUser } from '../checkInQueue';
import {
  checkInBody,
  checkInsPath,
  dayChoices,
  emptyForm,
  factorsPath,
  formFrom,
  isStrongUrge,
  medicationChoices,
  moodScale,
  noteMax,
  sleepHourOptions,
  sleepQualityScale,
  sleepWords,
  urgeScale,
  zeroToTen,
  addDays,
  type CheckIn,
  type CheckInForm,
  type CheckInInput,
  type CheckInSaved,
  type Factor,
  type ScaleStep,
} from '../checkIns';
import { CrisisLines } from '../components/CrisisLines';
import { FormError } from '../components/Field';
import { Link } from '../components/Link';
import { PageHeading } from '../components/Page';
import { formatDate, todayISO } from '../format';
import { noErrors, problemToFormErrors, type FormErrors } from '../problem';
import { newIdempotencyKey } from '../questionnaire';
import { useCrisisData } from '../portalData';
import type { Items } from '../types';
import { HelpNowButton } from './PortalCrisis';
import './checkin.css';

/** A face for a mood from 0 (worst) to 10 (best): the mouth turns from down to up. Decorative. */
export function MoodFace({ value, size = 36 }: { value: number; size?: number }) {
  const curve = (value - 5) * 1.3; // −6.5 … +6.5
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" class={`mood-face mood-face--${value}`} aria-hidden="true" focusable="false">
      <circle cx="16" cy="16" r="14" class="face" />
      <circle cx="11" cy="13" r="1.8" class="eye" />
      <circle cx="21" cy="13" r="1.8" class="eye" />
      <path d={`M9.5 ${21 - curve / 3} Q16 ${21 + curve} 22.5 ${21 - curve / 3}`} class="mouth" />
    </svg>
  );
}

type Done = { kind: 'sent'; saved: CheckInSaved; replaced: boolean } | { kind: 'kept'; key: string; body: CheckInInput };

export function CheckInPage({ user, offline = false }: { user: PortalUser; offline?: boolean }) {
  const owner = user.id;
  const today = todayISO();
  // what this phone last knew of the recent days, until Tend answers (or with no signal)
  const [existing, setExisting] = useState<Map<string, CheckIn>>(() => new Map(keptRecent(owner).map((c) => [c.date, c])));
  const [form, setForm] = useState<CheckInForm>(() => {
    const mine = existing.get(today);
    return mine ? formFrom(mine) : emptyForm(today);
  });
  const [factors, setFactors] = useState<Factor[]>(() => keptFactors(owner) ?? []);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Done | null>(null);
  const queue = useQueue(owner);
  const prefilled = useRef(false);

  useEffect(() => {
    if (offline) return;
    api
      .get<Items<Factor>>(factorsPath)
      .then((f) => {
        setFactors(f.items);
        keepFactors(owner, f.items);
      })
      .catch(() => {
        // the kept list (if any) stays
      });
    api
      .get<Items<CheckIn>>(`${checkInsPath}${query({ from: addDays(today, -7), to: today })}`)
      .then((r) => {
        const byDay = new Map(r.items.map((c) => [c.date, c]));
        setExisting(byDay);
        keepRecent(owner, r.items);
        // open with today's check-in when there is one: saving again replaces it
        const mine = byDay.get(today);
        if (mine && !prefilled.current) setForm(formFrom(mine));
      })
      .catch(() => {
        // offline or refused: a fresh form
      });
  }, [owner, offline]);

  const set = <K extends keyof CheckInForm>(k: K, v: CheckInForm[K]) => {
    prefilled.current = true;
    setForm((f) => ({ ...f, [k]: v }));
  };

  const chooseDay = (date: string) => {
    prefilled.current = true;
    const stored = existing.get(date);
    const waiting = queue.items.find((i) => i.body.date === date);
    if (waiting) setForm({ ...emptyForm(date), ...waiting.body, note: waiting.body.note ?? '', share_note: !!waiting.body.share_note, factors: waiting.body.factors ?? [] } as CheckInForm);
    else setForm(stored ? formFrom(stored) : emptyForm(date));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const body = checkInBody(form);
    if (!body) {
      setErrors({ summary: 'Please choose how your mood is — the rest is optional.', fields: { mood: 'Choose how your mood is.' } });
      document.querySelector<HTMLInputElement>('input[name="mood"]')?.focus();
      return;
    }
    setErrors(noErrors);
    // one key for this check-in, kept with it if it has to wait on the phone
    const key = newIdempotencyKey();
    if (offline || (typeof navigator !== 'undefined' && navigator.onLine === false)) {
      keep(owner, key, body);
      setDone({ kind: 'kept', key, body });
      return;
    }
    setBusy(true);
    try {
      const saved = await api.post<CheckInSaved>(checkInsPath, body, { 'Idempotency-Key': key });
      const next = new Map(existing).set(saved.date, saved);
      setExisting(next);
      keepRecent(owner, [...next.values()]);
      setDone({ kind: 'sent', saved, replaced: existing.has(body.date) });
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      if (outcomeOf(status) === 'retry') {
        keep(owner, key, body);
        setDone({ kind: 'kept', key, body });
      } else {
        const shown = ['date', 'mood', 'anxiety', 'sleep_hours', 'sleep_quality', 'energy', 'self_harm_urge', 'medication', 'factors', 'note', 'share_note'];
        setErrors(err instanceof ApiError ? problemToFormErrors(err.problem, shown) : noErrors);
      }
    } finally {
      setBusy(false);
    }
  };

  if (done) return <AfterSave done={done} owner={owner} onChange={() => setDone(null)} />;

  const isEdit = existing.has(form.date) || queue.items.some((i) => i.body.date === form.date);
  const activities = factors.filter((f) => f.kind === 'activity');
  const others = factors.filter((f) => f.kind !== 'activity');
  return (
    <>
      <PageHeading title="Check in" />
      <WaitingNotice owner={owner} />
      <form class="check-in" onSubmit={(e) => void submit(e)} noValidate aria-describedby="check-in-intro">
        <p id="check-in-intro" class="muted">
          Only your mood is needed. Everything else is optional.
          {isEdit ? ' You already checked in for this day: saving again replaces it.' : ''}
        </p>
        <FormError message={errors.summary} />
        <DayPicker value={form.date} today={today} onChange={chooseDay} />

        <fieldset class={`scale mood${errors.fields.mood ? ' field--error' : ''}`} aria-describedby={errors.fields.mood ? 'mood-error' : undefined}>
          <legend>How is your mood?</legend>
          {errors.fields.mood ? (
            <p class="field-error" id="mood-error">
              <span class="visually-hidden">Error: </span>
              {errors.fields.mood}
            </p>
          ) : null}
          <div class="mood-grid">
            {moodScale.map((s) => (
              <label key={s.value} class="mood-choice">
                <input type="radio" name="mood" value={String(s.value)} checked={form.mood === s.value} onChange={() => set('mood', s.value)} />
                <MoodFace value={s.value} />
                <span class="mood-number">{s.value}</span>
                <span class="mood-word">{s.label}</span>
              </label>
            ))}
          </div>
        </fieldset>

        <Chips name="anxiety" legend="Anxiety" hint="0 none – 10 the most" steps={zeroToTen.map((v) => ({ value: v, label: String(v) }))} value={form.anxiety} onChange={(v) => set('anxiety', v)} error={errors.fields.anxiety} compact />

        <fieldset class="scale">
          <legend>Sleep last night</legend>
          <div class="field sleep-hours">
            <label for="ci-sleep-hours">Hours slept</label>
            <select id="ci-sleep-hours" name="sleep_hours" value={form.sleep_hours === null ? '' : String(form.sleep_hours)} onChange={(e) => set('sleep_hours', (e.currentTarget as HTMLSelectElement).value === '' ? null : Number((e.currentTarget as HTMLSelectElement).value))}>
              <option value="">Not said</option>
              {sleepHourOptions.map((h) => (
                <option key={h} value={String(h)}>
                  {sleepWords(h)}
                </option>
              ))}
            </select>
            {errors.fields.sleep_hours ? <p class="field-error">{errors.fields.sleep_hours}</p> : null}
          </div>
          <Chips name="sleep_quality" legend="How well you slept" steps={sleepQualityScale} value={form.sleep_quality} onChange={(v) => set('sleep_quality', v)} error={errors.fields.sleep_quality} nested />
        </fieldset>

        <Chips name="energy" legend="Energy" hint="0 none – 10 full of energy" steps={zeroToTen.map((v) => ({ value: v, label: String(v) }))} value={form.energy} onChange={(v) => set('energy', v)} error={errors.fields.energy} compact />

        <Chips name="self_harm_urge" legend="Urges to harm yourself" steps={urgeScale.map((s) => ({ value: s.value, label: `${s.value} ${s.label}` }))} value={form.self_harm_urge} onChange={(v) => set('self_harm_urge', v)} error={errors.fields.self_harm_urge} />

        <fieldset class="scale">
          <legend>Did you take your medication as prescribed?</legend>
          <div class="chips">
            {medicationChoices.map((m) => (
              <label key={m.value} class="chip">
                <input type="radio" name="medication" value={m.value} checked={form.medication === m.value} onChange={() => set('medication', m.value)} />
                {m.label}
              </label>
            ))}
          </div>
          {form.medication !== null ? <ClearButton what="medication" onClick={() => set('medication', null)} /> : null}
        </fieldset>

        <FactorChips legend="What did you do today?" kind="activity" factors={activities} chosen={form.factors} offline={offline} onToggle={(ids) => set('factors', ids)} onAdded={(f) => setFactors((all) => [...all, f])} />
        <FactorChips legend="Anything else today?" kind="factor" factors={others} chosen={form.factors} offline={offline} onToggle={(ids) => set('factors', ids)} onAdded={(f) => setFactors((all) => [...all, f])} />
        {errors.fields.factors ? <p class="field-error">{errors.fields.factors}</p> : null}

        <div class={`field note${errors.fields.note ? ' field--error' : ''}`}>
          <label for="ci-note">
            A short note<span class="optional"> (optional)</span>
          </label>
          {errors.fields.note ? <p class="field-error">{errors.fields.note}</p> : null}
          <textarea id="ci-note" name="note" rows={3} maxLength={noteMax} value={form.note} onInput={(e) => set('note', (e.currentTarget as HTMLTextAreaElement).value)} aria-describedby="ci-note-hint" />
          <p class="hint" id="ci-note-hint">
            {form.note.length}/{noteMax} characters
          </p>
          <label class="chip share-note">
            <input type="checkbox" name="share_note" checked={form.share_note} onChange={(e) => set('share_note', (e.currentTarget as HTMLInputElement).checked)} aria-describedby="ci-share-hint" />
            Share this note with my care team
          </label>
          <p class="hint" id="ci-share-hint">
            {form.share_note ? 'Your care team will be able to read this note.' : 'Unless you tick this, only you can read your note. Your care team sees your ratings.'}
          </p>
        </div>

        <div class="actions check-in-actions">
          <button type="submit" class="button button--large" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
      <p class="leave">
        <Link href="/portal/diary">My diary</Link> · <Link href="/portal">Back to home</Link>
      </p>
    </>
  );
}

function DayPicker({ value, today, onChange }: { value: string; today: string; onChange: (d: string) => void }) {
  return (
    <div class="field day-picker">
      <label for="ci-date">Which day?</label>
      <select id="ci-date" name="date" value={value} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
        {dayChoices(today).map((d) => (
          <option key={d.value} value={d.value}>
            {d.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function ClearButton({ what, onClick }: { what: string; onClick: () => void }) {
  return (
    <button type="button" class="link-button clear-choice" onClick={onClick}>
      Clear <span class="visually-hidden">{what}</span>
    </button>
  );
}

/** One optional rating as a row of radio chips, with a way to take the answer back. */
function Chips(p: { name: string; legend: string; hint?: string; steps: ScaleStep[]; value: number | null; onChange: (v: number | null) => void; error?: string; compact?: boolean; nested?: boolean }) {
  const hintId = p.hint ? `ci-${p.name}-hint` : undefined;
  return (
    <fieldset class={`scale${p.nested ? ' scale--nested' : ''}${p.error ? ' field--error' : ''}`} aria-describedby={hintId}>
      <legend>{p.legend}</legend>
      {p.hint ? (
        <p class="hint" id={hintId}>
          {p.hint}
        </p>
      ) : null}
      {p.error ? <p class="field-error">{p.error}</p> : null}
      <div class={`chips${p.compact ? ' chips--numbers' : ''}`}>
        {p.steps.map((s) => (
          <label key={s.value} class="chip">
            <input type="radio" name={p.name} value={String(s.value)} checked={p.value === s.value} onChange={() => p.onChange(s.value)} />
            {s.label}
          </label>
        ))}
      </div>
      {p.value !== null ? <ClearButton what={p.legend.toLowerCase()} onClick={() => p.onChange(null)} /> : null}
    </fieldset>
  );
}

function FactorChips(p: { legend: string; kind: Factor['kind']; factors: Factor[]; chosen: string[]; offline: boolean; onToggle: (ids: string[]) => void; onAdded: (f: Factor) => void }) {
  const [adding, setAdding] = useState(false);
  const [label, setLabel] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const inputId = `ci-own-${p.kind}`;

  const add = async () => {
    const l = label.trim();
    if (!l) {
      setError('Write a word or two first.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      const made = await api.post<Factor>(factorsPath, { label: l, kind: p.kind });
      p.onAdded(made);
      p.onToggle([...p.chosen, made.id]);
      setLabel('');
      setAdding(false);
    } catch (e) {
      setError(e instanceof ApiError && e.status !== 0 ? problemToFormErrors(e.problem).summary : 'Adding your own needs a connection. Please try again later.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <fieldset class="scale factors">
      <legend>{p.legend}</legend>
      {p.factors.length ? (
        <div class="chips">
          {p.factors.map((f) => (
            <label key={f.id} class="chip">
              <input type="checkbox" name="factors" value={f.id} checked={p.chosen.includes(f.id)} onChange={(e) => p.onToggle((e.currentTarget as HTMLInputElement).checked ? [...p.chosen, f.id] : p.chosen.filter((id) => id !== f.id))} />
              {f.label}
            </label>
          ))}
        </div>
      ) : null}
      {p.offline ? null : adding ? (
        <div class="add-own">
          <label for={inputId}>Your own</label>
          <div class="add-own-row">
            <input
              id={inputId}
              type="text"
              maxLength={40}
              value={label}
              aria-invalid={error ? 'true' : undefined}
              aria-describedby={error ? `${inputId}-error` : undefined}
              onInput={(e) => setLabel((e.currentTarget as HTMLInputElement).value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  void add();
                }
              }}
            />
            <button type="button" class="button button--secondary" disabled={busy} onClick={() => void add()}>
              Add
            </button>
          </div>
          {error ? (
            <p class="field-error" id={`${inputId}-error`}>
              {error}
            </p>
          ) : null}
        </div>
      ) : (
        <button type="button" class="link-button add-own-open" onClick={() => setAdding(true)}>
          + Add your own
        </button>
      )}
    </fieldset>
  );
}

/** Check-ins waiting on this phone, and any Tend refused, at the top of the check-in page. */
export function WaitingNotice({ owner }: { owner: string }) {
  const q = useQueue(owner);
  // days seen waiting here that have left the queue without a refusal: they reached Tend
  const seen = useRef(new Map<string, string>());
  for (const i of q.items) seen.current.set(i.key, i.body.date);
  const sent = [...seen.current].filter(([key]) => !q.items.some((i) => i.key === key) && !q.refused.some((r) => r.key === key)).map(([, date]) => date);
  return (
    <>
      <div role="status">
        {q.items.length ? (
          <p class="notice">
            {q.items.length === 1 ? `Your check-in for ${formatDate(q.items[0].body.date)} is saved on this phone` : `${q.items.length} check-ins are saved on this phone`} — it will be sent when you are back online.
          </p>
        ) : null}
        {sent.length ? <p class="notice">Sent: your check-in{sent.length === 1 ? '' : 's'} for {sent.map((d) => formatDate(d)).join(', ')} reached Tend.</p> : null}
      </div>
      {q.refused.map((r) => (
        <RefusedNotice key={r.key} date={r.date} reason={r.reason} id={r.key} />
      ))}
    </>
  );
}

function RefusedNotice({ date, reason, id }: { date: string; reason: string; id: string }) {
  return (
    <div class="form-error" role="alert">
      <p>
        Your check-in for {formatDate(date)} could not be saved by Tend: {reason}
      </p>
      <button type="button" class="button button--secondary button--small" onClick={() => dismissRefused(id)}>
        OK
      </button>
    </div>
  );
}

function AfterSave({ done, owner, onChange }: { done: Done; owner: string; onChange: () => void }) {
  const q = useQueue(owner);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [done]);
  if (done.kind === 'sent') {
    const day = done.saved.date === todayISO() ? 'today' : formatDate(done.saved.date);
    return (
      <>
        <PageHeading title="Check in" />
        <section class="check-in-done" aria-labelledby="done-heading">
          <h2 id="done-heading" tabIndex={-1} ref={heading}>
            {done.replaced ? `Your check-in for ${day} is updated` : `Your check-in for ${day} is saved`}
          </h2>
          {done.saved.alert_raised ? <CareTeamTold /> : <p>Thank you for taking a moment for yourself.</p>}
          <DoneActions onChange={onChange} />
        </section>
      </>
    );
  }
  const waiting = q.items.some((i) => i.key === done.key);
  const refused = q.refused.find((r) => r.key === done.key);
  const strong = isStrongUrge(done.body.self_harm_urge);
  return (
    <>
      <PageHeading title="Check in" />
      <section class="check-in-done" aria-labelledby="done-heading">
        <h2 id="done-heading" tabIndex={-1} ref={heading}>
          Thank you for checking in
        </h2>
        <div role="status" class="notice kept-status">
          {waiting ? <p>Saved on this phone — it will be sent when you are back online.</p> : refused ? null : <p>Your check-in has now been sent to Tend.</p>}
        </div>
        {refused ? <RefusedNotice date={refused.date} reason={refused.reason} id={refused.key} /> : null}
        {!waiting && !refused && wasAlerted(done.key) ? <CareTeamTold /> : null}
        {strong && waiting ? <NotSentYetSupport /> : null}
        <DoneActions onChange={onChange} />
      </section>
    </>
  );
}

function DoneActions({ onChange }: { onChange: () => void }) {
  return (
    <div class="actions">
      <Link href="/portal/diary" class="button">
        My diary
      </Link>
      <button type="button" class="button button--secondary" onClick={onChange}>
        Change this check-in
      </button>
      <Link href="/portal" class="button button--secondary">
        Back to home
      </Link>
    </div>
  );
}

/** The check-in told the care team (crisis): said at once and calmly, with what to do now. */
function CareTeamTold() {
  const data = useCrisisData();
  return (
    <div class="care-team-told">
      <p class="lead" role="status">
        Thank you for being honest about how things are. Because of what you told us, your care team has been told, and someone will contact you as soon as they
        can.
      </p>
      <p>If you need to talk to someone before then, you can tell your care team now or call one of these numbers.</p>
      <p>
        <HelpNowButton />
      </p>
      <CrisisLines resources={data.resources} idPrefix="check-in-lines" />
    </div>
  );
}

/** Strong urges said with no signal: the care team cannot be told yet, so the lines now. */
function NotSentYetSupport() {
  const data = useCrisisData();
  return (
    <div class="care-team-told">
      <p>
        <strong>Your care team does not know yet:</strong> this check-in has not reached Tend. If you need to talk to someone now, please call one of these numbers.
      </p>
      <CrisisLines resources={data.resources} idPrefix="check-in-lines" />
    </div>
  );
}

/** On the portal's home page: the way in to today's check-in and the diary. */
export function CheckInCard({ owner }: { owner: string }) {
  return (
    <section class="card card--check-in" aria-labelledby="check-in-card">
      <h2 id="check-in-card">How are you today?</h2>
      <p>A daily check-in takes under a minute: your mood, and anything else you want to note.</p>
      <WaitingNotice owner={owner} />
      <p class="actions">
        <Link href="/portal/check-in" class="button button--large">
          Check in
        </Link>
        <Link href="/portal/diary" class="button button--secondary">
          My diary
        </Link>
      </p>
    </section>
  );
}
