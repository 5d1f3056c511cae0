import { useEffect, useState } from 'preact/hooks';
import { api, setServerContactHandler, setUnauthorizedHandler } from './api';
import { followAlerts, useOpenAlerts } from './alertStore';
import { AlertBanner } from './components/AlertBanner';
import { Dialog } from './components/Dialog';
import { Link } from './components/Link';
import { Loading } from './components/Page';
import { closeEvents, openEvents } from './events';
import { durationWords, useIdleTimeout } from './idle';
import { AdminPage } from './pages/Admin';
import { AdministerPage } from './pages/Administer';
import { AlertBoardPage, AlertPage } from './pages/Alerts';
import { AssessmentLinkPage } from './pages/AssessmentLink';
import { ChartPage } from './pages/Chart';
import { ClientEditPage, ClientNewPage } from './pages/ClientForm';
import { ClientSearchPage } from './pages/ClientSearch';
import { GroupNotePage } from './pages/GroupNote';
import { HomePage } from './pages/Home';
import { GuardianHome } from './pages/Guardian';
import { JoinPage } from './pages/Join';
import { PortalSettingsPage, TermsGate } from './pages/PortalSettings';
import { NotFoundPage } from './pages/NotFound';
import { PortalHome, PortalQuestionnaire } from './pages/Portal';
import { HelpNowButton, HelpNowPage, OfflinePortal, PortalSafetyPlanPage } from './pages/PortalCrisis';
import { ReadingPage } from './pages/PortalEducation';
import { InboxPage, StaffThreadPage } from './pages/Inbox';
import { PortalMessagesPage, PortalNewMessagePage, PortalThreadPage } from './pages/PortalMessages';
import { useUnreadMessages } from './messages';
import { MyPlanPage, StayingWellPage } from './pages/PortalPlan';
import { CheckInPage } from './pages/PortalCheckIn';
import { DiaryPage } from './pages/PortalDiary';
import { rememberedPortalUser, rememberPortalUser, startSync } from './checkInQueue';
import { PortalRecordPage } from './pages/PortalRecord';
import { loadCrisisData, registerPortalWorker } from './portalData';
import { SecurityPage } from './pages/Security';
import { CalendarPage } from './pages/Calendar';
import { WaitsPage } from './pages/Waits';
import { SignInPage } from './pages/SignIn';
import { navigate, resolve, useLocation } from './router';
import { guardianRoutes, portalRoutes, publicRoutes, routes } from './routes';
import { isAdmin, isStaff, loadSession, sessionEnded, signOut, useSession } from './session';
import type { User } from './types';

/** Where someone lands after signing in when no page was asked for. */
export function homeFor(user: User): string {
  return user.role === 'client' ? '/portal' : user.role === 'guardian' ? '/guardian' : '/';
}

function safeNext(next: string | null): string | null {
  // only same-site paths, never '//host' or a scheme
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin') ? next : null;
}

export function App() {
  const session = useSession();
  const location = useLocation();
  const match = resolve(routes, location.path);
  const user = session.status === 'signed-in' ? session.user : null;
  const isPublic = !!match && publicRoutes.includes(match.name);

  const [unreachable, setUnreachable] = useState(false);
  useEffect(() => {
    setUnauthorizedHandler(sessionEnded);
    // A public page (a questionnaire link) works the same signed in or not: it asks nothing of the session.
    if (isPublic) return;
    loadSession().catch(() => {
      // The server could not be reached. In the portal this is the no-signal screen with the
      // safety plan and crisis lines this phone has; elsewhere the sign-in page says so when tried.
      setUnreachable(true);
    });
  }, []);

  // Send people to the right place for their state and role.
  useEffect(() => {
    if (session.status === 'loading' || isPublic) return;
    const here = location.path + window.location.search;
    if (!user) {
      if (match?.name !== 'signin') {
        const q = new URLSearchParams();
        const explicit = session.status === 'signed-out' && session.reason === 'signed-out';
        if (!explicit && location.path !== '/' && location.path !== '/portal') q.set('next', here);
        if (session.status === 'signed-out' && session.reason) q.set('reason', session.reason);
        const qs = q.toString();
        navigate(`/signin${qs ? `?${qs}` : ''}`, { replace: true });
      }
      return;
    }
    if (match?.name === 'signin') {
      navigate(safeNext(location.query.get('next')) ?? homeFor(user), { replace: true });
    } else if (user.role === 'client' && !(match && portalRoutes.includes(match.name))) {
      navigate('/portal', { replace: true });
    } else if (user.role === 'guardian' && !(match && guardianRoutes.includes(match.name))) {
      navigate('/guardian', { replace: true });
    } else if (isStaff(user) && match && (portalRoutes.includes(match.name) || guardianRoutes.includes(match.name))) {
      navigate('/', { replace: true });
    }
  }, [session, location.path, location.query.toString()]);

  useEffect(() => {
    // Live events are for staff and clients; a guardian's account has none.
    if (user && user.role !== 'guardian') openEvents();
    else closeEvents();
  }, [user?.id]);

  // A client's safety plan and crisis lines are read as soon as the portal opens, so the help
  // screen has them at once, and kept for when there is no signal (portal-sw.js).
  const clientId = user?.role === 'client' ? user.id : null;
  useEffect(() => {
    if (!clientId) return;
    registerPortalWorker();
    void loadCrisisData();
  }, [clientId]);

  // Check-ins kept on this phone are sent in their maker's session (checkInQueue.ts); who that
  // is stays known so that the check-in page also opens with no signal.
  useEffect(() => {
    if (!user || user.role !== 'client') return;
    rememberPortalUser(user);
    return startSync(user.id);
  }, [clientId]);

  // Opened with no signal: try again when the browser says the connection is back.
  useEffect(() => {
    if (!unreachable) return;
    const retry = () => void loadSession().then(() => setUnreachable(false), () => {});
    window.addEventListener('online', retry);
    return () => window.removeEventListener('online', retry);
  }, [unreachable]);

  // Staff follow the crisis alerts they can see, on every page (the banner, the count).
  const staffId = user && isStaff(user) ? user.id : null;
  useEffect(() => (staffId ? followAlerts(staffId) : undefined), [staffId]);
  const openAlerts = useOpenAlerts();
  const unreadMessages = useUnreadMessages(user?.role ?? null, location.path);

  const idle = useIdleTimeout({
    enabled: !!user,
    onSignOut: () => void signOut('idle'),
    keepAlive: () => api.get('/api/v1/session'),
    timeoutSeconds: session.status === 'signed-in' ? session.idleTimeoutSeconds : undefined,
  });
  useEffect(() => setServerContactHandler(idle.contacted), []);

  if (isPublic && match?.name === 'assessment-link') {
    return (
      <>
        <SkipLink />
        <header class="site-header site-header--plain">
          <span class="brand">Tend</span>
        </header>
        <main id="main" tabIndex={-1} class="portal public">
          <AssessmentLinkPage token={match.params.token} />
        </main>
      </>
    );
  }

  if (isPublic && match?.name === 'join') {
    return (
      <>
        <SkipLink />
        <header class="site-header site-header--plain">
          <span class="brand">Tend</span>
        </header>
        <main id="main" tabIndex={-1} class="portal public">
          <JoinPage token={location.query.get('token')} />
        </main>
      </>
    );
  }

  if (session.status === 'loading' && unreachable && location.path.startsWith('/portal')) {
    const offlineUser = match?.name === 'portal-check-in' ? rememberedPortalUser() : null;
    return (
      <>
        <SkipLink />
        <header class="site-header portal-header">
          <span class="brand">Tend</span>
          {offlineUser ? (
            <span class="portal-header-actions">
              <HelpNowButton />
            </span>
          ) : null}
        </header>
        <main id="main" tabIndex={-1} class="portal">
          {offlineUser ? <CheckInPage user={offlineUser} offline /> : <OfflinePortal />}
        </main>
      </>
    );
  }

  if (session.status === 'loading') {
    return (
      <main id="main" class="page-narrow">
        <Loading />
      </main>
    );
  }

  if (!user || match?.name === 'signin') {
    return (
      <>
        <SkipLink />
        <header class="site-header site-header--plain">
          <span class="brand">Tend</span>
        </header>
        <main id="main" tabIndex={-1} class="page-narrow">
          {match?.name === 'signin' ? <SignInPage /> : <Loading />}
        </main>
      </>
    );
  }

  const idleDialog = (
    <Dialog
      open={idle.warning}
      title={`You will be signed out in ${durationWords(idle.signOutAfterMs - idle.warnAfterMs)}`}
      onClose={() => void idle.stay()}
      dismissible
      id="idle-dialog"
    >
      <p>
        You have not used Tend for a while. To protect the records on this screen, Tend signs you out after {durationWords(idle.signOutAfterMs)} without
        activity.
      </p>
      <div class="actions">
        <button type="button" class="button" onClick={() => void idle.stay()}>
          Stay signed in
        </button>
        <button type="button" class="button button--secondary" onClick={() => void signOut()}>
          Sign out now
        </button>
      </div>
    </Dialog>
  );

  if (user.role === 'client') {
    return (
      <>
        <SkipLink />
        <header class="site-header portal-header">
          <Link href="/portal" class="brand">
            Tend
          </Link>
          <span class="portal-header-actions">
            <Link href="/portal/messages" class="portal-messages-link" aria-current={match?.name.startsWith('portal-message') || match?.name === 'portal-thread' ? 'page' : undefined}>
              Messages{unreadMessages ? <span class="nav-count"> {unreadMessages}<span class="visually-hidden"> new</span></span> : null}
            </Link>
            <HelpNowButton />
            <Link href="/portal/settings" class="button button--secondary button--small" aria-current={match?.name === 'portal-settings' ? 'page' : undefined}>
              Settings
            </Link>
            <button type="button" class="button button--secondary button--small" onClick={() => void signOut()}>
              Sign out
            </button>
          </span>
        </header>
        <main id="main" tabIndex={-1} class="portal">
          {/* The help screen never waits for the terms. */}
          {match?.name === 'portal-help' ? <HelpNowPage /> : null}
          {match?.name !== 'portal-help' ? (
            <TermsGate>
              {match?.name === 'portal' ? <PortalHome user={user} /> : null}
              {match?.name === 'portal-questionnaire' ? <PortalQuestionnaire user={user} instrumentId={match.params.instrument} /> : null}
              {match?.name === 'portal-safety-plan' ? <PortalSafetyPlanPage /> : null}
              {match?.name === 'portal-plan' ? <MyPlanPage /> : null}
              {match?.name === 'portal-staying-well' ? <StayingWellPage /> : null}
              {match?.name === 'portal-record' ? <PortalRecordPage /> : null}
              {match?.name === 'portal-reading' ? <ReadingPage slug={match.params.slug} /> : null}
              {match?.name === 'portal-check-in' ? <CheckInPage user={user} /> : null}
              {match?.name === 'portal-diary' ? <DiaryPage owner={user.id} /> : null}
              {match?.name === 'portal-messages' ? <PortalMessagesPage /> : null}
              {match?.name === 'portal-message-new' ? <PortalNewMessagePage /> : null}
              {match?.name === 'portal-thread' ? <PortalThreadPage id={match.params.id} /> : null}
              {match?.name === 'portal-settings' ? <PortalSettingsPage user={user} /> : null}
              {!match || !portalRoutes.includes(match.name) ? <Loading /> : null}
            </TermsGate>
          ) : null}
        </main>
        {idleDialog}
      </>
    );
  }

  if (user.role === 'guardian') {
    return (
      <>
        <SkipLink />
        <header class="site-header portal-header">
          <Link href="/guardian" class="brand">
            Tend
          </Link>
          <span class="portal-header-actions">
            <button type="button" class="button button--secondary button--small" onClick={() => void signOut()}>
              Sign out
            </button>
          </span>
        </header>
        <main id="main" tabIndex={-1} class="portal">
          <TermsGate>
            {match?.name === 'guardian' ? <GuardianHome user={user} /> : null}
            {match?.name === 'guardian-settings' ? <PortalSettingsPage user={user} /> : null}
            {!match || !guardianRoutes.includes(match.name) ? <Loading /> : null}
          </TermsGate>
        </main>
        {idleDialog}
      </>
    );
  }

  const nav = [
    { href: '/', label: 'Home', active: match?.name === 'home' },
    { href: '/clients', label: 'Clients', active: match?.name === 'clients' || match?.name === 'chart' || match?.name === 'client-edit' || match?.name === 'assess' },
    { href: '/clients/new', label: 'New client', active: match?.name === 'client-new' },
    { href: '/alerts', label: 'Alerts', active: match?.name === 'alerts' || match?.name === 'alert', count: openAlerts.open.length },
    { href: '/inbox', label: 'Inbox', active: match?.name === 'inbox' || match?.name === 'thread', count: unreadMessages, countWord: 'unread' },
    { href: '/calendar', label: 'Calendar', active: match?.name === 'calendar' },
    { href: '/waits', label: 'Waiting times', active: match?.name === 'waits' },
    ...(isAdmin(user) ? [{ href: '/admin', label: 'Admin', active: match?.name === 'admin' }] : []),
  ] as { href: string; label: string; active: boolean; count?: number; countWord?: string }[];

  return (
    <>
      <SkipLink />
      <AlertBanner />
      <header class="site-header">
        <Link href="/" class="brand">
          Tend
        </Link>
        <nav aria-label="Main" class="main-nav">
          <ul>
            {nav.map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={n.active ? 'page' : undefined}>
                  {n.label}
                  {n.count ? (
                    <span class="nav-count">
                      {' '}
                      {n.count}
                      <span class="visually-hidden"> {n.countWord ?? 'open'}</span>
                    </span>
                  ) : null}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <span class="account-name">{user.display_name}</span>
          <Link href="/security" class="account-link" aria-current={match?.name === 'security' ? 'page' : undefined}>
            Two-step sign-in
          </Link>
          <button type="button" class="button button--secondary button--small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1} class="page">
        {match?.name === 'home' ? <HomePage user={user} /> : null}
        {match?.name === 'clients' ? <ClientSearchPage /> : null}
        {match?.name === 'client-new' ? <ClientNewPage /> : null}
        {match?.name === 'chart' ? <ChartPage id={match.params.id} user={user} tab={location.query.get('tab')} /> : null}
        {match?.name === 'client-edit' ? <ClientEditPage id={match.params.id} /> : null}
        {match?.name === 'assess' ? <AdministerPage clientId={match.params.id} instrumentId={match.params.instrument} /> : null}
        {match?.name === 'security' ? <SecurityPage user={user} /> : null}
        {match?.name === 'alerts' ? <AlertBoardPage status={location.query.get('status')} /> : null}
        {match?.name === 'alert' ? <AlertPage id={match.params.id} /> : null}
        {match?.name === 'inbox' ? <InboxPage /> : null}
        {match?.name === 'thread' ? <StaffThreadPage id={match.params.id} /> : null}
        {match?.name === 'waits' ? <WaitsPage /> : null}
        {match?.name === 'calendar' ? <CalendarPage user={user} /> : null}
        {match?.name === 'group-note-new' ? <GroupNotePage withClient={location.query.get('with')} /> : null}
        {match?.name === 'admin' ? isAdmin(user) ? <AdminPage me={user} /> : <NotFoundPage /> : null}
        {!match || portalRoutes.includes(match.name) || guardianRoutes.includes(match.name) ? <NotFoundPage /> : null}
      </main>
      {idleDialog}
    </>
  );
}

function SkipLink() {
  return (
    <a class="skip-link" href="#main">
      Skip to main content
    </a>
  );
}
