import type { Route } from './router';

export type RouteName =
  | 'home'
  | 'signin'
  | 'clients'
  | 'client-new'
  | 'chart'
  | 'client-edit'
  | 'assess'
  | 'admin'
  | 'security'
  | 'alerts'
  | 'alert'
  | 'waits'
  | 'calendar'
  | 'group-note-new'
  | 'portal'
  | 'portal-questionnaire'
  | 'portal-safety-plan'
  | 'portal-help'
  | 'portal-plan'
  | 'portal-staying-well'
  | 'portal-reading'
  | 'portal-check-in'
  | 'portal-diary'
  | 'portal-record'
  | 'portal-messages'
  | 'portal-message-new'
  | 'portal-thread'
  | 'inbox'
  | 'thread'
  | 'assessment-link'
  | 'join'
  | 'portal-settings'
  | 'guardian'
  | 'guardian-settings';

/** Every screen of the app. Literal paths come before ':id' ones ('/clients/new'). */
export const routes: readonly Route<RouteName>[] = [
  { name: 'home', pattern: '/' },
  { name: 'signin', pattern: '/signin' },
  { name: 'clients', pattern: '/clients' },
  { name: 'client-new', pattern: '/clients/new' },
  { name: 'chart', pattern: '/clients/:id' },
  { name: 'client-edit', pattern: '/clients/:id/edit' },
  { name: 'assess', pattern: '/clients/:id/assess/:instrument' },
  { name: 'admin', pattern: '/admin' },
  { name: 'security', pattern: '/security' },
  { name: 'alerts', pattern: '/alerts' },
  { name: 'alert', pattern: '/alerts/:id' },
  { name: 'waits', pattern: '/waits' },
  { name: 'calendar', pattern: '/calendar' },
  { name: 'group-note-new', pattern: '/group-notes/new' },
  { name: 'portal', pattern: '/portal' },
  { name: 'portal-questionnaire', pattern: '/portal/questionnaires/:instrument' },
  { name: 'portal-safety-plan', pattern: '/portal/safety-plan' },
  { name: 'portal-help', pattern: '/portal/help' },
  { name: 'portal-plan', pattern: '/portal/plan' },
  { name: 'portal-staying-well', pattern: '/portal/staying-well' },
  { name: 'portal-reading', pattern: '/portal/reading/:slug' },
  { name: 'portal-check-in', pattern: '/portal/check-in' },
  { name: 'portal-diary', pattern: '/portal/diary' },
  { name: 'portal-record', pattern: '/portal/record' },
  { name: 'portal-messages', pattern: '/portal/messages' },
  { name: 'portal-message-new', pattern: '/portal/messages/new' },
  { name: 'portal-thread', pattern: '/portal/messages/:id' },
  { name: 'inbox', pattern: '/inbox' },
  { name: 'thread', pattern: '/messages/:id' },
  { name: 'portal-settings', pattern: '/portal/settings' },
  { name: 'guardian', pattern: '/guardian' },
  { name: 'guardian-settings', pattern: '/guardian/settings' },
  // public: a questionnaire sent by link, answered without signing in
  { name: 'assessment-link', pattern: '/a/:token' },
  // public: accepting a portal invitation (?token=… from the e-mail, or a code typed in)
  { name: 'join', pattern: '/join' },
];

/** Screens a client (role client) may open; every other path takes them to /portal. */
export const portalRoutes: readonly RouteName[] = [
  'portal',
  'portal-questionnaire',
  'portal-safety-plan',
  'portal-help',
  'portal-plan',
  'portal-staying-well',
  'portal-reading',
  'portal-check-in',
  'portal-diary',
  'portal-record',
  'portal-messages',
  'portal-message-new',
  'portal-thread',
  'portal-settings',
];

/** Screens a parent or guardian (role guardian) may open; every other path takes them to /guardian. */
export const guardianRoutes: readonly RouteName[] = ['guardian', 'guardian-settings'];

/** Screens that need no session. */
export const publicRoutes: readonly RouteName[] = ['assessment-link', 'join'];

/** Sections of a client's chart, shown as ?tab=… on /clients/:id. */
export const chartTabs = [
  { id: 'overview', label: 'Overview' },
  { id: 'episodes', label: 'Episodes' },
  { id: 'diagnoses', label: 'Diagnoses & medication' },
  { id: 'measures', label: 'Measures' },
  { id: 'plan', label: 'Plan' },
  { id: 'sessions', label: 'Sessions & notes' },
  { id: 'safety-plan', label: 'Safety plan' },
  { id: 'check-ins', label: 'Check-ins' },
  { id: 'messages', label: 'Messages' },
  { id: 'access-log', label: 'Access log' },
] as const;

export type ChartTab = (typeof chartTabs)[number]['id'];

export function chartTab(value: string | null): ChartTab {
  return chartTabs.find((t) => t.id === value)?.id ?? 'overview';
}
