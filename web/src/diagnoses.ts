// Words and events of diagnoses and the medication list: pure functions, so they can be tested
// without rendering; pages/ChartDiagnoses.tsx and the measures chart use them.
import type { DiagnosisStatus, Medication } from './types';

export const statusWords: Record<DiagnosisStatus, string> = {
  provisional: 'Provisional',
  confirmed: 'Confirmed',
  resolved: 'Resolved',
  ruled_out: 'Ruled out',
  entered_in_error: 'Entered in error',
};

/** Words on the button that moves a diagnosis to `status`. */
export const statusActionWords: Record<DiagnosisStatus, string> = {
  provisional: 'Provisional',
  confirmed: 'Confirm',
  resolved: 'Resolve',
  ruled_out: 'Rule out',
  entered_in_error: 'Entered in error',
};

/** A dated thing to mark on the measures' time axis. */
export interface TimeEvent {
  /** YYYY-MM-DD */
  on: string;
  /** "Started sertraline 50 mg", "Sertraline 50 mg → 100 mg", "Stopped sertraline" */
  label: string;
}

/** Every start, dose change and stop of the medications, oldest first (by date, then name). */
export function medicationEvents(meds: readonly Medication[]): TimeEvent[] {
  const out: TimeEvent[] = [];
  for (const m of meds) {
    let dose = '';
    for (const c of m.changes) {
      if (c.kind === 'start') out.push({ on: c.on, label: `Started ${m.name} ${c.dose}` });
      else if (c.kind === 'dose') out.push({ on: c.on, label: c.dose === dose ? `${m.name} ${c.dose}, now ${c.frequency}` : `${m.name} ${dose} → ${c.dose}` });
      else out.push({ on: c.on, label: `Stopped ${m.name}` });
      dose = c.dose;
    }
  }
  return out.sort((a, b) => (a.on === b.on ? a.label.localeCompare(b.label) : a.on < b.on ? -1 : 1));
}
