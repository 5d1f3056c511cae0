// Shapes of the API's answers (docs/api.md; the live reference is /api/v1/openapi.json).
import type { FlagRule } from './risk';

export type Role =
  | 'admin'
  | 'clinician'
  | 'prescriber'
  | 'care_manager'
  | 'peer_support'
  | 'front_desk'
  | 'analyst'
  | 'client'
  | 'guardian';

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

// ---- Measurement-based care (assessments, schedules, links)

export type Respondent = 'self' | 'clinician' | 'parent' | 'teacher';
export type Rater = Respondent | 'other';

/** GET /api/v1/instruments: one line per instrument in the library. */
export interface InstrumentSummary {
  id: string;
  name: string;
  title: string;
  item_count: number;
  respondents: Respondent[];
  total: { min: number; max: number } | null;
  /** 'service': the licence keeps the wording out of Tend; items read "Item 3" unless the service added it. */
  item_text: 'shipped' | 'service';
  imported: boolean;
}

export type EnableOperator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'exists';

export interface EnableWhen {
  /** linkId of the item whose answer decides. */
  question: string;
  operator: EnableOperator;
  /** Compared with the answered value; for 'exists', 1 = must be answered, 0 = must not. */
  value: number;
}

export interface InstrumentItem {
  linkId: string;
  prefix: string;
  text: string;
  /** Title of the enclosing group, or '' / null. */
  group: string | null;
  type: 'choice' | 'integer';
  required: boolean;
  /** Empty for a choice item that cannot be answered with a value (an imported form's unscored "how difficult"). */
  options: { value: number; label: string }[];
  /** integer items only */
  min: number | null;
  max: number | null;
  enable_when: EnableWhen[];
  enable_behavior: 'all' | 'any';
}

export interface Band {
  code: string;
  label: string;
  /** null for condition bands (C-SSRS risk levels). */
  min: number | null;
  max: number | null;
  client_text: string;
}

/** GET /api/v1/instruments/{id} */
export interface Instrument {
  id: string;
  name: string;
  title: string;
  client_text: string;
  /** The form's text before the first question ("Over the last 2 weeks, how often …"); may be empty or absent. */
  instructions?: string[];
  copyright: string;
  respondents: Respondent[];
  item_text: 'shipped' | 'service';
  total: { min: number; max: number; label?: string } | null;
  subscales: { id: string; name: string; min: number; max: number; cutoff: number | null }[];
  bands: Band[];
  higher_is_worse: boolean;
  reliable_change: number | null;
  items: InstrumentItem[];
  /** Flag rules with their conditions; absent from an instrument cached by an older server. */
  flags?: FlagRule[];
}

export interface Answer {
  linkId: string;
  value: number;
}

export interface Change {
  from_id: string;
  from_total: number;
  /** to − from */
  delta: number;
  threshold: number;
  direction: 'improved' | 'worse' | 'same';
  reliable: boolean;
  classification: 'reliable_improvement' | 'reliable_deterioration' | 'no_reliable_change';
  recovered?: boolean | null;
  reliable_recovery?: boolean | null;
  response?: boolean | null;
  remission?: boolean | null;
}

export interface Flag {
  code: string;
  label: string;
  severity: 'critical' | 'warning' | 'info';
  items: string[];
}

/** A scored result. */
export interface Assessment {
  id: string;
  client_id: string;
  instrument: string;
  instrument_name: string;
  rater: Rater;
  via: string;
  entered_by: string | null;
  completed_at: string;
  recorded_at: string;
  answers: Answer[];
  total: number | null;
  total_max: number | null;
  subscales: { id: string; name: string; score: number; positive: boolean | null }[];
  band: { code: string; label: string; client_text: string } | null;
  flags: Flag[];
  complete: boolean;
  missing: string[];
  case: boolean | null;
  change: { previous: Change | null; first: Change | null };
}

/** GET /api/v1/clients/{id}/measures: one per instrument the client has results for. */
export interface Measure {
  instrument: string;
  name: string;
  count: number;
  latest: Assessment;
  first: Assessment;
  /** Every result, oldest first (the server sends them; older servers may not). */
  results?: Assessment[];
  bands: Band[];
  total: { min: number; max: number } | null;
  higher_is_worse: boolean;
  reliable_change: number | null;
}

/** First and latest result of one measure in GET /api/v1/clients/{id}/outcomes. */
export interface OutcomeResult {
  id: string;
  total: number | null;
  completed_at: string;
}

/** GET /api/v1/clients/{id}/outcomes: change from the first to the latest result of each measure. */
export interface MeasureOutcome {
  instrument: string;
  name: string;
  count: number;
  first: OutcomeResult;
  last: OutcomeResult;
  /** The latest result's change since the first; null with one result (or no total). */
  change: Change | null;
}

/** The NHS Talking Therapies paired outcome (first and last PHQ-9 and GAD-7). */
export interface TalkingTherapiesOutcome {
  phq9_first: number;
  phq9_last: number;
  gad7_first: number;
  gad7_last: number;
  case_at_start: boolean;
  recovered: boolean;
  reliable_improvement: boolean;
  reliable_deterioration: boolean;
  reliable_recovery: boolean;
}

export interface Outcomes {
  measures: MeasureOutcome[];
  /** null until the client has at least two PHQ-9 and two GAD-7 results. */
  talking_therapies: TalkingTherapiesOutcome | null;
}

export interface NextDue {
  due_date: string;
  overdue: boolean;
  days_overdue: number;
}

export interface Schedule {
  id: string;
  client_id: string;
  instrument: string;
  instrument_name: string;
  every_days: number;
  start_date: string;
  end_date: string | null;
  active: boolean;
  /** The client can answer it in the portal (a self-report whose wording is available). */
  self_answerable?: boolean;
  next_due: NextDue | null;
}

/** GET /api/v1/assessments/due?mine=true */
export interface DueMeasure {
  client_id: string;
  client_name: string;
  instrument: string;
  instrument_name: string;
  schedule_id: string;
  due_date: string;
  overdue: boolean;
  days_overdue: number;
}

/** POST /api/v1/clients/{id}/assessment-links */
export interface AssessmentLink {
  token: string;
  /** "/a/<token>", relative to the site. */
  url: string;
  expires_at: string;
  instrument: string;
}

/** GET /api/v1/assessment-links/{token} (public) */
export interface LinkQuestionnaire {
  instrument: Instrument;
  rater: Rater;
  expires_at: string;
}

/** POST /api/v1/assessment-links/{token} (public) */
export interface LinkReceipt {
  received: boolean;
  band: { label: string; client_text: string } | null;
  needs_follow_up: boolean;
}

export interface Items<T> {
  items: T[];
}

// ---- Crisis response (alerts, escalation, on-call, safety plans)

/** Ordered from least to most urgent. */
export type AlertLevel = 'low' | 'moderate' | 'high' | 'imminent';
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

export interface PersonRef {
  id: string;
  name: string;
}

export interface AlertSignal {
  id: string;
  source: 'assessment' | 'checkin' | 'message' | 'help_now' | 'clinician';
  level: AlertLevel;
  reason: string;
  ref_id: string | null;
  at: string;
}

export interface AlertTimelineEntry {
  at: string;
  kind: string;
  step?: number | null;
  user?: PersonRef | null;
  channel?: string | null;
  detail?: string | null;
}

/** GET /api/v1/alerts (board) and /api/v1/alerts/{id} (adds timeline and note). */
export interface Alert {
  id: string;
  client_id: string;
  client_name: string;
  level: AlertLevel;
  status: AlertStatus;
  reason: string;
  signals?: AlertSignal[];
  step: number;
  /** primary_clinician | care_team | on_call | supervisor */
  step_name: string;
  deadline_at: string;
  opened_at: string;
  acknowledged_by?: PersonRef | null;
  acknowledged_at?: string | null;
  resolved_by?: PersonRef | null;
  resolved_at?: string | null;
  outcome?: string | null;
  notified?: PersonRef[];
  deliveries?: { failed: number };
  version: number;
  timeline?: AlertTimelineEntry[];
  note?: string | null;
  /** Re-notifications after the end of the chain. */
  round?: number;
  /** One alert only: how to reach the client, and what they agreed to. */
  contact?: AlertContact;
}

export interface AlertContact {
  phone?: string | null;
  consent_phone?: boolean;
  consent_voicemail?: boolean;
  consent_sms?: boolean;
  emergency_contact?: { name?: string | null; relationship?: string | null; phone?: string | null } | null;
}

/** Data of the crisis.alert and crisis.updated events: ids and states, never names. */
export interface AlertEvent {
  alert_id: string;
  client_id: string;
  level: AlertLevel;
  status: AlertStatus;
  step: number;
  step_name: string;
  deadline_at: string;
}

/** GET /api/v1/follow-ups: a caring contact after an alert was resolved. */
export interface FollowUp {
  id: string;
  alert_id: string;
  client_id: string;
  client_name: string;
  owner: PersonRef | null;
  /** "24 hours", "72 hours", "7 days" */
  label: string;
  due_at: string;
  status: 'pending' | 'overdue' | 'done';
  overdue: boolean;
}

export interface SafetyPlanContact {
  name: string;
  phone?: string | null;
  note?: string | null;
}

/** The Stanley-Brown safety plan's seven sections. */
export interface SafetyPlanSections {
  warning_signs: string[];
  coping_strategies: string[];
  distractions: string[];
  people_to_ask: string[];
  professionals: SafetyPlanContact[];
  safe_environment: string[];
  reasons_for_living: string[];
}

export interface SafetyPlan {
  version: number;
  sections: SafetyPlanSections;
  updated_by?: PersonRef | null;
  updated_at?: string | null;
}

/** GET /api/v1/clients/{id}/safety-plan/versions: one line per saved version. */
export interface SafetyPlanVersion {
  version: number;
  updated_by?: PersonRef | null;
  updated_at?: string | null;
  sections?: SafetyPlanSections;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** GET /api/v1/on-call: a weekly pattern or a one-off window. */
export interface RosterEntry {
  id: string;
  kind: 'on_call' | 'supervisor';
  user_id: string;
  user_name?: string | null;
  user?: PersonRef | null;
  cover: boolean;
  time_zone: string;
  weekly?: { days: Weekday[]; start: string; end: string } | null;
  from_date?: string | null;
  until_date?: string | null;
  once?: { starts_at: string; ends_at: string } | null;
  note?: string | null;
}

/** GET /api/v1/crisis/webhooks; `secret` only in the answer that created it. */
export interface CrisisWebhook {
  id: string;
  name: string;
  url: string;
  min_level: AlertLevel;
  created_at?: string;
  secret?: string;
}

export interface CrisisLine {
  name: string;
  phone?: string | null;
  /** The number to text. */
  text?: string | null;
  /** The word to send, when the line asks for one ("HOME"). */
  text_body?: string | null;
  url?: string | null;
  hours?: string | null;
  description?: string | null;
}

/** GET /api/v1/me/crisis-resources and /api/v1/crisis-resources?region= */
export interface CrisisResources {
  region: string;
  name?: string;
  emergency?: { number: string; label?: string } | null;
  lines: CrisisLine[];
}

export type EpisodeStage = 'referred' | 'waitlist' | 'intake' | 'active' | 'discharged' | 'declined' | 'transferred';

/** GET /api/v1/clients/{id}/episodes (items) and GET /api/v1/episodes/{id} (with steps and next). */
export interface Episode {
  id: string;
  client_id: string;
  program: string;
  stage: EpisodeStage;
  open: boolean;
  referral_source: string;
  referral_reason: string;
  referred_on: string;
  waitlisted_on: string | null;
  intake_on: string | null;
  active_on: string | null;
  ended_on: string | null;
  transferred_to: string | null;
  /** The first and second attended appointments within the episode. */
  first_seen_on: string | null;
  second_seen_on: string | null;
  version: number;
  created_by: string;
  updated_at: string;
  steps?: { stage: EpisodeStage; on: string; by: string; note: string; at: string }[];
  next?: EpisodeStage[];
}

/** GET /api/v1/episodes/waits */
export interface ProgramWaits {
  program: string;
  waiting_now: number;
  waiting_now_median_days: number | null;
  waiting_now_longest_days: number | null;
  reached_intake: number;
  referral_to_intake_median_days: number | null;
  referral_to_intake_p90_days: number | null;
  reached_treatment: number;
  referral_to_treatment_median_days: number | null;
  intake_to_treatment_median_days: number | null;
  seen_once: number;
  referral_to_first_median_days: number | null;
  referral_to_first_p90_days: number | null;
  seen_twice: number;
  first_to_second_median_days: number | null;
  first_to_second_p90_days: number | null;
}

/** GET /api/v1/tasks and /api/v1/clients/{id}/tasks (items) */
export interface Task {
  id: string;
  client_id: string;
  client_name: string;
  episode_id: string | null;
  kind: 'call' | 'letter' | 'review' | 'other';
  title: string;
  due_on: string;
  due: 'overdue' | 'today' | 'upcoming' | null;
  owner: { id: string; name: string };
  status: 'open' | 'done' | 'cancelled';
  outcome: string;
  created_by: string;
  created_at: string;
  closed_by: string | null;
  closed_at: string | null;
  version: number;
}

/** GET /api/v1/clients/{id}/appointments and /api/v1/appointments (items) */
export interface Appointment {
  id: string;
  client_id: string | null;
  client_name: string | null;
  clinician: { id: string; name: string };
  kind: 'individual' | 'couple' | 'family' | 'group';
  mode: 'in_person' | 'video' | 'phone';
  starts_at: string;
  ends_at: string;
  room: string | null;
  meeting_url: string | null;
  status: 'booked' | 'arrived' | 'attended' | 'cancelled' | 'no_show';
  cancelled_by: 'client' | 'service' | null;
  late_cancel: boolean;
  note: string;
  /** The recurring series it was booked in, if any. */
  series_id: string | null;
  reminded_at: string | null;
  /** The client's open request to move or cancel it. */
  request: ChangeRequest | null;
  version: number;
}

/** A client's request to move or cancel an appointment (POST /api/v1/me/appointments/{id}/requests). */
export interface ChangeRequest {
  id: string;
  appointment_id: string;
  kind: 'reschedule' | 'cancel';
  message: string;
  status: 'open' | 'done' | 'declined';
  answer: string;
  answered_by: string | null;
  created_at: string;
  answered_at: string | null;
}

/** GET /api/v1/codes?q= (items): an ICD-10-CM code from the service's list */
export interface DiagnosisCode {
  code: string;
  /** false for a category header: shown, but not valid for a diagnosis */
  billable: boolean;
  title: string;
}

export type DiagnosisStatus = 'provisional' | 'confirmed' | 'resolved' | 'ruled_out' | 'entered_in_error';

/** GET/POST /api/v1/clients/{id}/diagnoses, POST /api/v1/diagnoses/{id} */
export interface Diagnosis {
  id: string;
  client_id: string;
  code: string;
  title: string;
  rank: 'primary' | 'secondary';
  status: DiagnosisStatus;
  current: boolean;
  diagnosed_on: string;
  diagnosed_by: { id: string; name: string };
  note: string;
  history: { from_status: DiagnosisStatus | null; to_status: DiagnosisStatus; from_rank: string | null; to_rank: string; note: string; by: string; at: string }[];
  next: DiagnosisStatus[];
  updated_at: string;
  version: number;
}

/** GET/POST /api/v1/clients/{id}/medications, POST /api/v1/medications/{id}/changes */
export interface Medication {
  id: string;
  client_id: string;
  name: string;
  dose: string;
  route: string;
  frequency: string;
  started_on: string;
  stopped_on: string | null;
  current: boolean;
  reason: string;
  changes: { kind: 'start' | 'dose' | 'stop'; on: string; dose: string; frequency: string; reason: string; by: { id: string; name: string }; at: string }[];
  updated_at: string;
  version: number;
}
