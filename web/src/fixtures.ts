// Shapes the API answers with, for the unit tests (not imported by the app).
import { vi } from 'vitest';
import type { CheckIn } from './checkIns';
import type { Note, NoteTemplates } from './noteTypes';
import type { Alert, Appointment, Assessment, Change, Instrument, InstrumentItem, SafetyPlan } from './types';

const frequency = [
  { value: 0, label: 'Not at all' },
  { value: 1, label: 'Several days' },
  { value: 2, label: 'More than half the days' },
  { value: 3, label: 'Nearly every day' },
];

export function choiceItem(linkId: string, text: string, extra: Partial<InstrumentItem> = {}): InstrumentItem {
  return { linkId, prefix: '', text, group: null, type: 'choice', required: true, options: frequency, min: null, max: null, enable_when: [], enable_behavior: 'all', ...extra };
}

export const PHQ9_INSTRUCTIONS = 'Over the last 2 weeks, how often have you been bothered by any of the following problems?';

/** An imported form's unscored "how difficult" question: a choice with no options to score. */
export function valuelessItem(linkId = 'difficulty'): InstrumentItem {
  return choiceItem(linkId, 'How difficult have these problems made it for you to do your work?', { options: [], required: false });
}

/** A PHQ-9 with its real bands, flag item and change rule, cut to the items a test needs. */
export function phq9(items?: InstrumentItem[]): Instrument {
  return {
    id: 'phq-9',
    name: 'PHQ-9',
    title: 'Patient Health Questionnaire-9 (PHQ-9)',
    client_text: 'The PHQ-9 asks about nine common symptoms of depression over the last two weeks.',
    instructions: [PHQ9_INSTRUCTIONS],
    copyright: 'No permission required to reproduce.',
    respondents: ['self', 'clinician'],
    item_text: 'shipped',
    total: { min: 0, max: 27, label: 'PHQ-9 total score' },
    subscales: [],
    bands: [
      { code: 'minimal', label: 'Minimal', min: 0, max: 4, client_text: 'Few or no symptoms.' },
      { code: 'mild', label: 'Mild', min: 5, max: 9, client_text: 'Mild symptoms.' },
      { code: 'moderate', label: 'Moderate', min: 10, max: 14, client_text: 'Moderate symptoms.' },
      { code: 'moderately_severe', label: 'Moderately severe', min: 15, max: 19, client_text: 'Moderately severe symptoms.' },
      { code: 'severe', label: 'Severe', min: 20, max: 27, client_text: 'Severe symptoms.' },
    ],
    higher_is_worse: true,
    reliable_change: 6,
    items: items ?? [
      choiceItem('q1', 'Little interest or pleasure in doing things', { prefix: '1.' }),
      choiceItem('q2', 'Feeling down, depressed, or hopeless', { prefix: '2.' }),
      choiceItem('q9', 'Thoughts that you would be better off dead, or of hurting yourself', { prefix: '9.' }),
    ],
  };
}

/** The C-SSRS screener's chain: items 3–5 only after "Yes" to item 2. */
export function cssrsItems(): InstrumentItem[] {
  const yesNo = [
    { value: 1, label: 'Yes' },
    { value: 0, label: 'No' },
  ];
  const after2 = { enable_when: [{ question: 'q2', operator: '=' as const, value: 1 }], options: yesNo };
  return [
    choiceItem('q1', 'Wished you were dead?', { options: yesNo }),
    choiceItem('q2', 'Thoughts of killing yourself?', { options: yesNo }),
    choiceItem('q3', 'Thought about how?', after2),
    choiceItem('q4', 'Any intention of acting?', after2),
    choiceItem('q5', 'Worked out the details?', after2),
    choiceItem('q6', 'Done anything to end your life?', { options: yesNo }),
  ];
}

export function change(delta: number, classification: Change['classification'], extra: Partial<Change> = {}): Change {
  return {
    from_id: 'as_prev',
    from_total: 0,
    delta,
    threshold: 6,
    direction: delta < 0 ? 'improved' : delta > 0 ? 'worse' : 'same',
    reliable: classification !== 'no_reliable_change',
    classification,
    ...extra,
  };
}

export function assessment(id: string, completedAt: string, total: number, extra: Partial<Assessment> = {}): Assessment {
  const band = total < 5 ? 'Minimal' : total < 10 ? 'Mild' : total < 15 ? 'Moderate' : total < 20 ? 'Moderately severe' : 'Severe';
  return {
    id,
    client_id: 'cl_1',
    instrument: 'phq-9',
    instrument_name: 'PHQ-9',
    rater: 'self',
    via: 'session',
    entered_by: 'us_1',
    completed_at: completedAt,
    recorded_at: completedAt,
    answers: [],
    total,
    total_max: 27,
    subscales: [],
    band: { code: band.toLowerCase().replace(/ /g, '_'), label: band, client_text: `${band} symptoms.` },
    flags: [],
    complete: true,
    missing: [],
    case: total >= 10,
    change: { previous: null, first: null },
    ...extra,
  };
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' } });
}

/** An open alert as GET /api/v1/alerts/{id} answers (docs/api.md, "Crisis"). */
export function alert(id: string, extra: Partial<Alert> = {}): Alert {
  return {
    id,
    client_id: 'cl_1',
    client_name: 'Ada Lovelace',
    level: 'high',
    status: 'open',
    reason: 'PHQ-9 item 9: thoughts of death or self-harm',
    signals: [],
    step: 0,
    step_name: 'primary_clinician',
    deadline_at: new Date(Date.now() + 10 * 60_000).toISOString(),
    opened_at: new Date(Date.now() - 5 * 60_000).toISOString(),
    acknowledged_by: null,
    acknowledged_at: null,
    resolved_by: null,
    resolved_at: null,
    outcome: null,
    notified: [{ id: 'us_1', name: 'Chidi Okafor' }],
    deliveries: { failed: 0 },
    version: 1,
    ...extra,
  };
}

export function safetyPlan(version: number, warningSigns: string[] = ['Not sleeping']): SafetyPlan {
  return {
    version,
    sections: {
      warning_signs: warningSigns,
      coping_strategies: ['Walk the dog'],
      distractions: [],
      people_to_ask: ['Sam (sister)'],
      professionals: [{ name: 'Dr Okafor', phone: '+1 555 0100' }],
      safe_environment: [],
      reasons_for_living: ['My children'],
    },
    updated_by: { id: 'us_1', name: 'Chidi Okafor' },
    updated_at: '2026-11-20T10:00:00Z',
  };
}

/** A stand-in for the Web Audio API: starts suspended, as browsers do before a click. */
export class FakeAudioContext {
  static made: FakeAudioContext[] = [];
  state: 'suspended' | 'running' = 'suspended';
  currentTime = 0;
  destination = {};
  tones = 0;
  onstatechange: (() => void) | null = null;
  constructor() {
    FakeAudioContext.made.push(this);
  }
  resume() {
    this.state = 'running';
    this.onstatechange?.();
    return Promise.resolve();
  }
  createOscillator() {
    this.tones += 1;
    return { type: '', frequency: { value: 0 }, connect: <T>(n: T) => n, start() {}, stop() {} };
  }
  createGain() {
    return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: <T>(n: T) => n };
  }
}

/** An appointment as the API sends it: booked, in person in Room 2, with Chidi Okafor. */
export function appointment(over: Partial<Appointment> = {}): Appointment {
  return {
    id: 'ap_1',
    client_id: 'cl_1',
    client_name: 'Ada Lovelace',
    clinician: { id: 'us_1', name: 'Chidi Okafor' },
    kind: 'individual',
    mode: 'in_person',
    starts_at: '2026-12-03T10:00:00.000Z',
    ends_at: '2026-12-03T10:50:00.000Z',
    room: 'Room 2',
    meeting_url: null,
    status: 'booked',
    cancelled_by: null,
    late_cancel: false,
    note: '',
    series_id: null,
    reminded_at: null,
    request: null,
    version: 1,
    ...over,
  };
}

/** Note templates as GET /api/v1/note-templates answers: SOAP (with the examination after
 * Objective) and DAP. */
export const noteTemplates: NoteTemplates = {
  items: [
    {
      id: 'soap',
      name: 'SOAP',
      title: 'Subjective, Objective, Assessment, Plan',
      mse_after: 'objective',
      sections: [
        { id: 'subjective', heading: 'Subjective', prompt: 'What the client reports', prefill: [] },
        { id: 'objective', heading: 'Objective', prompt: 'What you observed', prefill: ['measures'] },
        { id: 'assessment', heading: 'Assessment', prompt: 'Your understanding', prefill: ['risk'] },
        { id: 'plan', heading: 'Plan', prompt: 'What happens next', prefill: [] },
      ],
    },
    { id: 'dap', name: 'DAP', title: 'Data, Assessment, Plan', mse_after: 'data', sections: [{ id: 'data', heading: 'Data', prompt: 'p', prefill: [] }] },
  ],
  mse: {
    heading: 'Mental status examination',
    prompt: 'Pick the words',
    domains: [
      { id: 'mood', heading: 'Mood', choices: ['euthymic', 'low'] },
      { id: 'insight', heading: 'Insight', choices: ['good', 'poor'] },
    ],
  },
};

/** A progress note as the notes API answers: a SOAP draft with two sections and the mood. */
export const note = (over: Partial<Note> = {}): Note => ({
  id: 'nt_1',
  client_id: 'cl_1',
  kind: 'progress',
  template: 'soap',
  group: false,
  status: 'draft',
  author: { id: 'us_1', name: 'Chidi Okafor' },
  created_at: '2026-12-01T10:00:00Z',
  updated_at: '2026-12-01T10:00:00Z',
  signed_at: null,
  cosigner: null,
  cosigned_at: null,
  version: 1,
  appointment_id: null,
  episode_id: null,
  sections: { subjective: 'Sleeping better', objective: 'PHQ-9 9 (Mild) on 2026-11-30, down 8 from 17' },
  mse: { mood: { choices: ['low'], text: 'a bit brighter' } },
  member_part: null,
  addenda: [],
  ...over,
});

/** A request the code under test made. */
export interface FetchCall {
  method: string;
  url: string;
  body: unknown;
}

/** Stubs fetch with `answer` (404 for what it leaves undefined) and records every request. */
export function recordFetch(answer: (c: FetchCall) => Response | undefined): FetchCall[] {
  const calls: FetchCall[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      const c = { method: init?.method ?? 'GET', url, body: init?.body ? JSON.parse(init.body as string) : undefined };
      calls.push(c);
      return answer(c) ?? json({}, 404);
    }),
  );
  return calls;
}

/** A stored daily check-in for `date` (mood 6, every other rating skipped), as the API sends it. */
export function checkIn(date: string, over: Partial<CheckIn> = {}): CheckIn {
  return {
    id: `ci_${date}`,
    date,
    mood: 6,
    anxiety: null,
    sleep_hours: null,
    sleep_quality: null,
    energy: null,
    self_harm_urge: null,
    medication: null,
    factors: [],
    note: null,
    share_note: false,
    created_at: `${date}T08:00:00Z`,
    updated_at: `${date}T08:00:00Z`,
    ...over,
  };
}
