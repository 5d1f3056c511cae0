// Filling in an instrument, in one of two layouts:
//  - 'all': every shown item on one page, grouped, for staff at a desk (fast with the keyboard:
//    Tab to an item, arrows to choose);
//  - 'one': one item per screen with large tap targets, "3 of 9", Back and Next, for phones.
//    A tap on an answer moves on to the next item; choosing with the keyboard does not (the
//    arrow keys change a radio group's choice as they move), Next or Enter does.
// Items whose enable_when does not hold are neither shown nor sent (questionnaire.ts), nor are
// items that cannot be answered with a value (a choice without options).
// The form's instructions ("Over the last 2 weeks, how often …") stand above the items on the
// one page, and above the question on every screen of the other layout, since each question
// reads as the end of that sentence.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { answerableItems, answerLabel, answersToSend, checkAnswers, groupItems, itemProblem, visibleItems, type AnswerMap } from '../questionnaire';
import type { Answer, Instrument, InstrumentItem } from '../types';
import { FormError } from './Field';

/** Errors to show after a failed submit: a general message and messages by linkId. */
export interface QuestionnaireErrors {
  summary: string;
  items: Record<string, string>;
}

export const noQuestionnaireErrors: QuestionnaireErrors = { summary: '', items: {} };

interface Props {
  instrument: Instrument;
  layout: 'one' | 'all';
  /** 'one' layout: a first screen before the questions (what this is, how long it takes). */
  intro?: ComponentChildren;
  /** Shown beside the send button (the staff's "Who answered?"). */
  extra?: ComponentChildren;
  submitLabel: string;
  busy: boolean;
  errors: QuestionnaireErrors;
  onSubmit: (answers: Answer[]) => void;
  /** Prefix of element ids, unique on the page. */
  idPrefix?: string;
}

type Step = { kind: 'intro' } | { kind: 'item'; linkId: string } | { kind: 'review' };

/** The instrument's instructions, without empty lines (older servers send none). */
export function instructionsOf(instrument: Pick<Instrument, 'instructions'>): string[] {
  return (instrument.instructions ?? []).map((t) => t.trim()).filter(Boolean);
}

export function Questionnaire({ instrument, layout, intro, extra, submitLabel, busy, errors, onSubmit, idPrefix = 'q' }: Props) {
  const items = useMemo(() => answerableItems(instrument.items), [instrument.items]);
  const instructions = instructionsOf(instrument);
  const instructionsId = `${idPrefix}-instructions`;
  const [answers, setAnswers] = useState<AnswerMap>({});
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [itemErrors, setItemErrors] = useState<Record<string, string>>({});
  const [summary, setSummary] = useState('');
  const [step, setStep] = useState<Step>(() => (intro ? { kind: 'intro' } : items.length ? { kind: 'item', linkId: items[0].linkId } : { kind: 'review' }));
  const pointerChoice = useRef(false);
  const moved = useRef(false);
  const root = useRef<HTMLDivElement>(null);

  // Errors from the server: put each beside its item and go to the first of them.
  useEffect(() => {
    setItemErrors(errors.items);
    setSummary(errors.summary);
    const first = visibleItems(items, answers).find((i) => errors.items[i.linkId]);
    if (layout === 'one') {
      if (first) goTo({ kind: 'item', linkId: first.linkId });
      else if (errors.summary) moved.current = true;
    } else if (first || errors.summary) {
      window.setTimeout(() => focusInvalid(root.current), 0);
    }
  }, [errors]);

  // After moving between screens, focus the new screen's heading so a screen reader says where it is.
  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    root.current?.querySelector<HTMLElement>('.step-heading')?.focus();
  }, [step, errors]);

  const goTo = (next: Step) => {
    moved.current = true;
    setStep(next);
  };

  const visible = visibleItems(items, answers);

  const setAnswer = (item: InstrumentItem, value: number | undefined) => {
    const next = { ...answers };
    if (value === undefined) delete next[item.linkId];
    else next[item.linkId] = value;
    setAnswers(next);
    if (itemErrors[item.linkId]) {
      const rest = { ...itemErrors };
      delete rest[item.linkId];
      setItemErrors(rest);
    }
    return next;
  };

  /** The step after `linkId` with these answers: the next shown item, or the review. */
  const after = (linkId: string, with_: AnswerMap): Step => {
    const shown = visibleItems(items, with_);
    const at = items.findIndex((i) => i.linkId === linkId);
    const next = shown.find((i) => items.indexOf(i) > at);
    return next ? { kind: 'item', linkId: next.linkId } : { kind: 'review' };
  };

  const before = (current: Step): Step | null => {
    if (current.kind === 'intro') return null;
    if (current.kind === 'review') return visible.length ? { kind: 'item', linkId: visible[visible.length - 1].linkId } : intro ? { kind: 'intro' } : null;
    const at = visible.findIndex((i) => i.linkId === current.linkId);
    if (at > 0) return { kind: 'item', linkId: visible[at - 1].linkId };
    return intro ? { kind: 'intro' } : null;
  };

  const next = () => {
    if (step.kind === 'intro') {
      goTo(visible.length ? { kind: 'item', linkId: visible[0].linkId } : { kind: 'review' });
    } else if (step.kind === 'item') {
      const item = items.find((i) => i.linkId === step.linkId)!;
      const problem = itemProblem(item, answers[item.linkId]);
      if (problem) {
        setItemErrors({ ...itemErrors, [item.linkId]: problem });
        window.setTimeout(() => focusInvalid(root.current), 0);
        return;
      }
      goTo(after(item.linkId, answers));
    }
  };

  const submit = () => {
    const problems = checkAnswers(items, answers);
    const count = Object.keys(problems).length;
    if (count) {
      setItemErrors(problems);
      setSummary(count === 1 ? 'Please answer the marked question.' : `Please answer the ${count} marked questions.`);
      if (layout === 'one') {
        const first = visible.find((i) => problems[i.linkId]);
        if (first) goTo({ kind: 'item', linkId: first.linkId });
      } else {
        window.setTimeout(() => focusInvalid(root.current), 0);
      }
      return;
    }
    setSummary('');
    onSubmit(answersToSend(items, answers));
  };

  const itemProps = (item: InstrumentItem) => ({
    item,
    idPrefix,
    value: answers[item.linkId],
    draft: drafts[item.linkId],
    error: itemErrors[item.linkId],
    large: layout === 'one',
    describedBy: layout === 'one' && instructions.length ? instructionsId : undefined,
    onChoose: (value: number) => {
      const updated = setAnswer(item, value);
      // only a tap or click moves on; see the comment at the top
      if (layout === 'one' && pointerChoice.current) {
        pointerChoice.current = false;
        goTo(after(item.linkId, updated));
      }
    },
    onType: (text: string) => {
      setDrafts({ ...drafts, [item.linkId]: text });
      const t = text.trim();
      setAnswer(item, t === '' ? undefined : /^-?\d+$/.test(t) ? Number(t) : Number.NaN);
    },
    onPointer: () => (pointerChoice.current = true),
    onKey: () => (pointerChoice.current = false),
  });

  if (layout === 'all') {
    const shown = new Set(visible.map((i) => i.linkId));
    return (
      <div ref={root} class="questionnaire layout-all">
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <FormError message={summary} />
          <Instructions lines={instructions} id={instructionsId} />
          {groupItems(items.filter((i) => shown.has(i.linkId))).map((g, gi) =>
            g.title ? (
              <section class="question-group" key={`${gi}-${g.title}`} aria-label={g.title}>
                <h2 class="question-group-title">{g.title}</h2>
                {g.items.map((item) => (
                  <ItemControl key={item.linkId} {...itemProps(item)} />
                ))}
              </section>
            ) : (
              g.items.map((item) => <ItemControl key={item.linkId} {...itemProps(item)} />)
            ),
          )}
          {extra}
          <div class="actions">
            <button type="submit" class="button" disabled={busy}>
              {busy ? 'Sending…' : submitLabel}
            </button>
          </div>
        </form>
      </div>
    );
  }

  const back = before(step);
  const position = step.kind === 'item' ? visible.findIndex((i) => i.linkId === step.linkId) + 1 : 0;
  const headingId = `${idPrefix}-step-heading`;
  return (
    <div ref={root} class="questionnaire layout-one">
      <form
        noValidate
        aria-labelledby={headingId}
        onSubmit={(e) => {
          e.preventDefault();
          if (step.kind === 'review') submit();
          else next();
        }}
      >
        {step.kind === 'intro' ? (
          <>
            <h2 id={headingId} class="step-heading" tabIndex={-1}>
              Before you start
            </h2>
            {intro}
            <div class="step-actions">
              <button type="submit" class="button button--large">
                Start
              </button>
            </div>
          </>
        ) : null}

        {step.kind === 'item' ? (
          <>
            <h2 id={headingId} class="step-heading step-count" tabIndex={-1}>
              Question {position} of {visible.length}
            </h2>
            <progress class="step-progress" max={visible.length} value={position} aria-hidden="true" />
            <Instructions lines={instructions} id={instructionsId} />
            <ItemControl key={step.linkId} {...itemProps(items.find((i) => i.linkId === step.linkId)!)} />
            <div class="step-actions">
              {back ? (
                <button type="button" class="button button--secondary button--large" onClick={() => goTo(back)}>
                  Back
                </button>
              ) : null}
              <button type="submit" class="button button--large">
                Next
              </button>
            </div>
          </>
        ) : null}

        {step.kind === 'review' ? (
          <>
            <h2 id={headingId} class="step-heading" tabIndex={-1}>
              Ready to send
            </h2>
            <FormError message={summary} />
            <p>
              You answered {visible.filter((i) => answers[i.linkId] !== undefined).length} of {visible.length} questions.
            </p>
            <details class="review">
              <summary>Check your answers</summary>
              <ol class="review-list">
                {visible.map((i) => (
                  <li key={i.linkId}>
                    <span class="review-question">{i.text}</span>
                    <span class="review-answer">{answers[i.linkId] === undefined ? 'Not answered' : answerLabel(i, answers[i.linkId])}</span>
                    <button type="button" class="button button--secondary button--small" onClick={() => goTo({ kind: 'item', linkId: i.linkId })} aria-label={`Change the answer to: ${i.text}`}>
                      Change
                    </button>
                  </li>
                ))}
              </ol>
            </details>
            {extra}
            <div class="step-actions">
              {back ? (
                <button type="button" class="button button--secondary button--large" onClick={() => goTo(back)}>
                  Back
                </button>
              ) : null}
              <button type="submit" class="button button--large" disabled={busy}>
                {busy ? 'Sending…' : submitLabel}
              </button>
            </div>
          </>
        ) : null}
      </form>
    </div>
  );
}

/** The text before the first question, as the form prints it; nothing when the form has none. */
function Instructions({ lines, id }: { lines: string[]; id: string }) {
  if (!lines.length) return null;
  return (
    <div class="question-instructions" id={id}>
      {lines.map((line, n) => (
        <p key={n}>{line}</p>
      ))}
    </div>
  );
}

function focusInvalid(root: HTMLElement | null) {
  const target = root?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? root?.querySelector<HTMLElement>('.form-error');
  if (!target) return;
  if (target.classList.contains('form-error')) target.tabIndex = -1;
  target.focus();
}

interface ItemProps {
  item: InstrumentItem;
  idPrefix: string;
  value: number | undefined;
  draft: string | undefined;
  error: string | undefined;
  large: boolean;
  /** Id of the instructions, read with the question on a screen of its own. */
  describedBy?: string;
  onChoose: (value: number) => void;
  onType: (text: string) => void;
  onPointer: () => void;
  onKey: () => void;
}

/** One item: a group of radio buttons (choice) or a number box (integer), with its error. */
function ItemControl({ item, idPrefix, value, draft, error, large, describedBy, onChoose, onType, onPointer, onKey }: ItemProps) {
  const id = `${idPrefix}-${item.linkId.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  const errorId = `${id}-error`;
  const text = (
    <>
      {item.prefix && !large ? <span class="question-prefix">{item.prefix} </span> : null}
      {item.text}
      {item.required ? null : <span class="optional"> (optional)</span>}
    </>
  );
  const errorLine = error ? (
    <p class="field-error" id={errorId}>
      <span class="visually-hidden">Error: </span>
      {error}
    </p>
  ) : null;

  if (item.type === 'integer') {
    const range = item.min !== null && item.max !== null && item.min !== undefined && item.max !== undefined ? `A number from ${item.min} to ${item.max}.` : '';
    return (
      <div class={`question${error ? ' field--error' : ''}${large ? ' question--large' : ''}`} data-link-id={item.linkId}>
        <label for={id} class="question-text">
          {text}
        </label>
        {range ? (
          <p class="hint" id={`${id}-hint`}>
            {range}
          </p>
        ) : null}
        {errorLine}
        <input
          id={id}
          name={id}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          class="number-input"
          value={draft ?? (value === undefined || Number.isNaN(value) ? '' : String(value))}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={[describedBy ?? '', range ? `${id}-hint` : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined}
          onInput={(e) => onType((e.currentTarget as HTMLInputElement).value)}
        />
      </div>
    );
  }

  return (
    <fieldset
      class={`question${error ? ' field--error' : ''}${large ? ' question--large' : ''}`}
      data-link-id={item.linkId}
      aria-describedby={[describedBy ?? '', error ? errorId : ''].filter(Boolean).join(' ') || undefined}
    >
      <legend class="question-text">{text}</legend>
      {errorLine}
      <div class="choices">
        {item.options.map((o, n) => (
          <label class="choice" key={o.value} onPointerDown={onPointer} onKeyDown={onKey}>
            <input
              type="radio"
              id={`${id}-${n}`}
              name={id}
              value={String(o.value)}
              checked={value === o.value}
              aria-invalid={error ? 'true' : undefined}
              onChange={() => onChoose(o.value)}
              onClick={() => {
                // a tap on the answer already chosen (after Back) moves on too
                if (value === o.value) onChoose(o.value);
              }}
            />
            <span class="choice-label">{o.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** The first screen for a client: what this is, how long, and that answers can be changed. */
export function ClientIntro({ instrument }: { instrument: Instrument }) {
  const count = answerableItems(instrument.items).length;
  return (
    <div class="client-intro">
      {instrument.client_text ? <p>{instrument.client_text}</p> : null}
      <p>
        There {count === 1 ? 'is 1 question' : `are ${count} questions`}, one at a time. There are no right or wrong answers. You can go back to change an
        answer before you send them.
      </p>
    </div>
  );
}
