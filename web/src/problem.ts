// RFC 9457 problem details as the Tend API sends them (docs/api.md, "Errors"):
// {type, title, status, detail, errors: [{field, message}]}.

export interface FieldProblem {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: FieldProblem[];
}

/** What a form shows: one line at the top and a message beside each named field. */
export interface FormErrors {
  /** The general message for the top of the form; empty when there is none. */
  summary: string;
  /** Field name (as the API names it, e.g. "date_of_birth") → message. */
  fields: Record<string, string>;
}

export const noErrors: FormErrors = { summary: '', fields: {} };

/** Reads a problem+json body, or makes one from the status when the body is not one. */
export function parseProblem(status: number, body: unknown): Problem {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const errors = Array.isArray(b.errors)
      ? b.errors
          .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
          .map((e) => ({ field: String(e.field ?? ''), message: String(e.message ?? '') }))
      : undefined;
    return {
      type: typeof b.type === 'string' ? b.type : undefined,
      title: typeof b.title === 'string' ? b.title : undefined,
      status: typeof b.status === 'number' ? b.status : status,
      detail: typeof b.detail === 'string' ? b.detail : undefined,
      errors,
    };
  }
  return { status };
}

/** The plain sentence for a status when the server gave no detail. */
export function fallbackMessage(status: number): string {
  if (status === 0) return 'Tend could not be reached. Check your connection and try again.';
  if (status === 401) return 'Please sign in again.';
  if (status === 403) return 'You are not allowed to do this.';
  if (status === 404) return 'This was not found.';
  if (status === 409) return 'Someone else changed this at the same time. Reload and try again.';
  if (status === 413) return 'This is too large to send.';
  if (status === 429) return 'Too many attempts. Wait a few minutes and try again.';
  if (status >= 500) return 'Something went wrong on the server. Try again in a moment.';
  return 'This could not be done.';
}

/** 'emergency_contact.phone' → 'Emergency contact phone'. */
export function humanField(field: string): string {
  return sentence(field.replace(/[._]/g, ' '));
}

function period(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function sentence(text: string): string {
  const t = text.trim();
  return t ? t[0].toUpperCase() + t.slice(1) : t;
}

/**
 * Maps a problem to form errors. Each field keeps its own message (several messages for one
 * field are joined). The summary is the problem's detail, followed by errors without a field
 * name and, when `shown` lists the form's fields, errors for fields the form does not show;
 * when every error has its field, the summary just points to them.
 */
export function problemToFormErrors(problem: Problem, shown?: readonly string[]): FormErrors {
  const fields: Record<string, string> = {};
  const unplaced: string[] = [];
  for (const e of problem.errors ?? []) {
    if (!e.message) continue;
    if (!e.field || (shown && !shown.includes(e.field))) {
      unplaced.push(e.field ? `${humanField(e.field)}: ${e.message}.` : sentence(e.message));
      continue;
    }
    const message = sentence(e.message);
    fields[e.field] = fields[e.field] ? `${fields[e.field]}; ${message}` : message;
  }
  const placed = Object.keys(fields).length;
  // When every message sits beside its field, the detail only repeats them in API words
  // ("invalid fields: date_of_birth"); a plain pointer to the fields reads better.
  const general =
    placed > 0 && unplaced.length === 0
      ? placed === 1
        ? 'Please correct the marked field.'
        : `Please correct the ${placed} marked fields.`
      : problem.detail
        ? period(sentence(problem.detail))
        : fallbackMessage(problem.status);
  const summary = [general, ...unplaced].join(' ');
  return { summary, fields };
}
