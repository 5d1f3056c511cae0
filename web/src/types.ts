// Shapes of the API's answers (docs/api.md; the live reference is /api/v1/openapi.json).

export type Role =
  | 'admin'
  | 'clinician'
  | 'prescriber'
  | 'care_manager'
  | 'peer_support'
  | 'front_desk'
  | 'analyst'
  | 'client';

export interface User {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  email: string | null;
  disabled: boolean;
  totp_enabled: boolean;
  client_id: string | null;
  created_at: string;
}

export interface SignInAnswer {
  user: User;
  csrf_token: string;
  mfa_required: boolean;
  expires_at: string;
  idle_timeout_seconds?: number;
}

export interface SessionAnswer {
  user: User;
  csrf_token: string;
  via_token: boolean;
  idle_timeout_seconds?: number;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface ClientSummary {
  id: string;
  mrn: string;
  given_name: string;
  family_name: string;
  preferred_name: string | null;
  pronouns: string | null;
  date_of_birth: string;
  status: 'active' | 'archived';
  on_my_team?: boolean;
}

export interface Client extends ClientSummary {
  gender_identity: string | null;
  sex: string | null;
  language: string | null;
  interpreter_needed: boolean;
  email: string | null;
  phone: string | null;
  archived_at: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface AccessEntry {
  seq: number;
  at: string;
  actor_id: string;
  /** null for system actions. */
  actor_name?: string | null;
  actor_role: string;
  action: string;
  resource_kind: string;
  resource_id: string;
  reason: string;
  outcome: string;
}

export interface CareTeamMember {
  user_id: string;
  username: string;
  display_name: string;
  user_role: Role;
  role: string;
  added_at: string;
}

export interface Notice {
  id: string;
  kind: string;
  actor_id: string;
  actor_name: string;
  ref_id: string;
  created_at: string;
  expires_at: string | null;
}

export const careTeamRoles = [
  'primary_clinician',
  'clinician',
  'psychiatrist',
  'prescriber',
  'care_manager',
  'peer_support',
  'supervisor',
  'consultant',
  'other',
] as const;

export const staffRoles: Role[] = [
  'clinician',
  'prescriber',
  'care_manager',
  'peer_support',
  'front_desk',
  'analyst',
  'admin',
];

export interface StaffMember {
  id: string;
  username: string;
  display_name: string;
  role: Role;
}

export interface ApiToken {
  id: string;
  user_id: string;
  name: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface NewToken {
  id: string;
  token: string;
  expires_at: string | null;
}

export interface TotpEnrolment {
  secret: string;
  otpauth_uri: string;
}
