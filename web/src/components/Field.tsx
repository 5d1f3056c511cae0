// Labelled form controls. A field's error sits under it, is linked with aria-describedby and
// marks the control aria-invalid, so a screen reader reads the message with the label.
import type { ComponentChildren } from 'preact';

interface Common {
  /** The API's field name, also used for the control's name and id. */
  name: string;
  label: string;
  hint?: string;
  error?: string;
  required?: boolean;
  idPrefix?: string;
}

function ids(p: Common) {
  const id = `${p.idPrefix ?? 'f'}-${p.name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
  return { id, hintId: `${id}-hint`, errorId: `${id}-error` };
}

function described(p: Common, hintId: string, errorId: string): string | undefined {
  const parts = [p.hint ? hintId : null, p.error ? errorId : null].filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}

function Wrapper(props: Common & { id: string; hintId: string; errorId: string; children: ComponentChildren }) {
  return (
    <div class={props.error ? 'field field--error' : 'field'}>
      <label for={props.id}>
        {props.label}
        {props.required ? null : <span class="optional"> (optional)</span>}
      </label>
      {props.hint ? (
        <p class="hint" id={props.hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="field-error" id={props.errorId}>
          <span class="visually-hidden">Error: </span>
          {props.error}
        </p>
      ) : null}
      {props.children}
    </div>
  );
}

type InputProps = Common & {
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'email' | 'tel' | 'date' | 'time' | 'password' | 'search';
  autoComplete?: string;
  inputMode?: string;
  max?: string;
  spellcheck?: boolean;
};

export function TextField(p: InputProps) {
  const { id, hintId, errorId } = ids(p);
  return (
    <Wrapper {...p} id={id} hintId={hintId} errorId={errorId}>
      <input
        id={id}
        name={p.name}
        // preact's input types are a union per type; any of ours is valid here
        type={(p.type ?? 'text') as 'text'}
        value={p.value}
        required={p.required}
        autoComplete={p.autoComplete}
        inputMode={p.inputMode}
        max={p.max}
        spellcheck={p.spellcheck}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={described(p, hintId, errorId)}
        onInput={(e) => p.onInput((e.currentTarget as HTMLInputElement).value)}
      />
    </Wrapper>
  );
}

type TextAreaProps = Common & { value: string; onInput: (value: string) => void; rows?: number };

export function TextArea(p: TextAreaProps) {
  const { id, hintId, errorId } = ids(p);
  return (
    <Wrapper {...p} id={id} hintId={hintId} errorId={errorId}>
      <textarea
        id={id}
        name={p.name}
        rows={p.rows ?? 3}
        value={p.value}
        required={p.required}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={described(p, hintId, errorId)}
        onInput={(e) => p.onInput((e.currentTarget as HTMLTextAreaElement).value)}
      />
    </Wrapper>
  );
}

type SelectProps = Common & {
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
};

export function SelectField(p: SelectProps) {
  const { id, hintId, errorId } = ids(p);
  return (
    <Wrapper {...p} id={id} hintId={hintId} errorId={errorId}>
      <select
        id={id}
        name={p.name}
        value={p.value}
        required={p.required}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={described(p, hintId, errorId)}
        onChange={(e) => p.onChange((e.currentTarget as HTMLSelectElement).value)}
      >
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Wrapper>
  );
}

/** The general message at the top of a form (the problem's detail). */
export function FormError({ message }: { message: string }) {
  if (!message) return null;
  return (
    <div class="form-error" role="alert">
      <p>{message}</p>
    </div>
  );
}
