import type { FormErrors } from '../problem';

/**
 * After a failed submit, moves focus to the first field with an error, or to the general
 * message when no field has one, so keyboard and screen-reader users land on what to fix.
 */
export function focusFirstError(errors: FormErrors) {
  if (!errors.summary && Object.keys(errors.fields).length === 0) return;
  const invalid = document.querySelector<HTMLElement>('[aria-invalid="true"]');
  if (invalid) {
    invalid.focus();
    return;
  }
  const alert = document.querySelector<HTMLElement>('.form-error');
  if (alert) {
    alert.tabIndex = -1;
    alert.focus();
  }
}

/** Trimmed text, or null when empty: optional fields are cleared rather than sent as "". */
export function optional(value: string): string | null {
  const v = value.trim();
  return v === '' ? null : v;
}
