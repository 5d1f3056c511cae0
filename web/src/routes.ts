import type { Route } from './router';

export type RouteName = 'home' | 'signin' | 'clients' | 'client-new' | 'chart' | 'client-edit' | 'admin' | 'security' | 'portal';

/** Every screen of the app. Literal paths come before ':id' ones ('/clients/new'). */
export const routes: readonly Route<RouteName>[] = [
  { name: 'home', pattern: '/' },
  { name: 'signin', pattern: '/signin' },
  { name: 'clients', pattern: '/clients' },
  { name: 'client-new', pattern: '/clients/new' },
  { name: 'chart', pattern: '/clients/:id' },
  { name: 'client-edit', pattern: '/clients/:id/edit' },
  { name: 'admin', pattern: '/admin' },
  { name: 'security', pattern: '/security' },
  { name: 'portal', pattern: '/portal' },
];

/** Sections of a client's chart, shown as ?tab=… on /clients/:id. */
export const chartTabs = [
  { id: 'overview', label: 'Overview' },
  { id: 'assessments', label: 'Assessments' },
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
