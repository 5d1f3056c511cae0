// Shapes of the notes API (/api/v1/clients/{id}/notes, /api/v1/notes/…, /api/v1/note-templates).

export interface NoteSection {
  id: string;
  heading: string;
  prompt: string;
  prefill: ('measures' | 'risk')[];
}

export interface NoteTemplate {
  id: string;
  name: string;
  title: string;
  sections: NoteSection[];
  mse_after: string;
}

export interface MseDomain {
  id: string;
  heading: string;
  choices: string[];
}

export interface MseDefinition {
  heading: string;
  prompt: string;
  domains: MseDomain[];
}

/** GET /api/v1/note-templates */
export interface NoteTemplates {
  items: NoteTemplate[];
  mse: MseDefinition;
}

export interface MseAnswer {
  choices: string[];
  text: string;
}

export interface Addendum {
  id: string;
  text: string;
  author: { id: string; name: string };
  created_at: string;
}

export type NoteStatus = 'draft' | 'awaiting_cosign' | 'signed';

/** A note with its text (GET /api/v1/notes/{id}, the client's list). */
export interface Note {
  id: string;
  client_id: string;
  kind: 'progress' | 'psychotherapy';
  template: string;
  group: boolean;
  status: NoteStatus;
  author: { id: string; name: string };
  created_at: string;
  updated_at: string;
  signed_at: string | null;
  cosigner: { id: string; name: string } | null;
  cosigned_at: string | null;
  version: number;
  appointment_id: string | null;
  episode_id: string | null;
  sections: Record<string, string>;
  mse: Record<string, MseAnswer>;
  member_part: string | null;
  addenda: Addendum[];
}

/** A note on a to-do list: no text. */
export interface NoteToSign {
  id: string;
  client_id: string;
  client_name: string;
  kind: Note['kind'];
  template: string;
  status: NoteStatus;
  author: { id: string; name: string };
  created_at: string;
  signed_at: string | null;
  version: number;
}

/** GET /api/v1/notes/unsigned */
export interface NotesToSign {
  to_sign: NoteToSign[];
  to_cosign: NoteToSign[];
}

export interface MeasureSummary {
  instrument: string;
  instrument_name: string;
  total: number | null;
  band: string | null;
  completed_on: string;
  previous_total: number | null;
  previous_on: string | null;
  change: string | null;
  flags: string[];
}

/** GET /api/v1/clients/{id}/notes/prefill?template=… */
export interface NotePrefill {
  template: NoteTemplate;
  mse: MseDefinition;
  sections: Record<string, string>;
  measures: MeasureSummary[];
  risk: {
    open_alerts: { id: string; level: string; status: string; reason: string; opened_on: string }[];
    flags: string[];
    safety_plan: { version: number; updated_on: string } | null;
  };
}
