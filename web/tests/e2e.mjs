// Browser test: the real `tend serve --web-root dist` on a loopback port, driven by Chromium
// through playwright-core, with axe-core checking each page. Run with `npm run test:e2e`.
//
//   TEND_BINARY  the tend binary (default ../build/dev/tend, relative to web/)
//   CHROMIUM     the browser (default /usr/bin/chromium; playwright never downloads one)
//   E2E_DEBUG=1  print the server's log at the end even when everything passed
//
// Screenshots of each main page go to web/test-results/. Exits non-zero on the first failure.
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import { chromium } from 'playwright-core';

const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tendBinary = resolve(webDir, process.env.TEND_BINARY ?? '../build/dev/tend');
const webRoot = resolve(webDir, 'dist');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const resultsDir = join(webDir, 'test-results');
const password = 'correct horse battery';

const dataDir = mkdtempSync(join(tmpdir(), 'tend-e2e-'));
const serverLogPath = join(resultsDir, 'tend-serve.log');
let server = null;
let serverStarted = false;
let browser = null;
let step = 'starting';

class Failure extends Error {}

function fail(message) {
  throw new Failure(message);
}

function log(message) {
  process.stdout.write(`  ${message}\n`);
}

function begin(name) {
  step = name;
  process.stdout.write(`- ${name}\n`);
}

// ---------------------------------------------------------------------------------------------
// The server

function tend(args) {
  const r = spawnSync(tendBinary, [...args, '--data-dir', dataDir, '--log-format', 'text'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) fail(`tend ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  return r.stdout.trim();
}

// The password goes in a file rather than on standard input: `--password-file -` opens
// /dev/stdin, which Linux refuses for the socket Node gives a child as its stdin.
const passwordFile = join(dataDir, 'password.txt');
writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });

function addUser(username, role, extra = []) {
  const out = tend(['user', 'add', '--username', username, '--role', role, '--password-file', passwordFile, ...extra]);
  const id = out.split(/\s+/).find((w) => w.startsWith('us_'));
  if (!id) fail(`tend user add ${username} printed no account id: ${out}`);
  return id;
}

function freePort() {
  return new Promise((ok, bad) => {
    const s = createServer();
    s.unref();
    s.on('error', bad);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function startServer(port) {
  mkdirSync(resultsDir, { recursive: true });
  const out = createWriteStream(serverLogPath);
  serverStarted = true;
  server = spawn(
    tendBinary,
    ['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--web-root', webRoot, '--log-format', 'text', '--job-poll-ms', '200',
     // A webhook target on this machine, as for a gateway beside Tend (refused by default).
     '--webhook-allow-loopback',
     // Every browser here signs in from 127.0.0.1: more than a real address would in 5 minutes.
     '--login-attempts-per-address', '500',
     // Office hours on a weekday three days from today: closed now, so a client's message gets
     // the automatic reply with the crisis lines (messaging()).
     '--office-hours', `${['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][(new Date().getUTCDay() + 3) % 7]} 09:00-10:00`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout.pipe(out);
  server.stderr.pipe(out);
  let exited = null;
  server.on('exit', (code, signal) => (exited = { code, signal }));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) fail(`tend serve exited early (${JSON.stringify(exited)}); see ${serverLogPath}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return base;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  fail(`tend serve did not answer /healthz within 60 s; see ${serverLogPath}`);
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const done = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(timer);
}

/** A signed-in API session from Node, for setting things up beside the browser. */
async function apiSession(base, username) {
  const r = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (r.status !== 201) fail(`API sign-in as ${username} answered ${r.status}: ${await r.text()}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf_token } = await r.json();
  return async (method, path, body, extraHeaders = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf_token, 'Content-Type': 'application/json', ...extraHeaders },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) fail(`${method} ${path} answered ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

/** RFC 6238 code (SHA-1, 30 s, 6 digits) for a base32 secret, to enrol an authenticator. */
function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}

// ---------------------------------------------------------------------------------------------
// Page checks

const cspViolations = [];
const pageErrors = [];

function watch(page, label) {
  page.on('console', (m) => {
    const t = m.text();
    if (/Content Security Policy|Refused to (load|execute|apply)/i.test(t)) cspViolations.push(`${label}: ${t}`);
  });
  page.on('pageerror', (e) => pageErrors.push(`${label}: ${e.message}`));
}

function assertClean() {
  if (cspViolations.length) fail(`Content-Security-Policy violations:\n${cspViolations.join('\n')}`);
  if (pageErrors.length) fail(`uncaught errors in the page:\n${pageErrors.join('\n')}`);
}

/** axe-core on the page as it is now; serious or critical violations fail the test. */
async function checkA11y(page, name) {
  // page.evaluate runs through the DevTools protocol, which the page's CSP does not govern,
  // so the app itself stays under its real policy.
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) await page.evaluate(axe.source);
  const results = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } }),
  );
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of results.violations.filter((v) => !bad.includes(v))) {
    log(`axe (${name}) ${v.impact}: ${v.id} — ${v.help} [${v.nodes.map((n) => n.target.join(' ')).join(', ')}]`);
  }
  if (bad.length) {
    const lines = bad.map((v) => `  ${v.impact}: ${v.id} — ${v.help}\n    ${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary?.replace(/\n/g, ' ')}`).join('\n    ')}`);
    fail(`accessibility violations on ${name}:\n${lines.join('\n')}`);
  }
  log(`axe: ${name} has no serious or critical violations`);
}

async function screenshot(page, name) {
  await page.screenshot({ path: join(resultsDir, `${name}.png`), fullPage: true });
}

async function expectText(locator, pattern, what) {
  try {
    await locator.waitFor({ state: 'visible', timeout: 10_000 });
  } catch {
    fail(`${what}: not shown`);
  }
  const deadline = Date.now() + 10_000;
  let text = '';
  while (Date.now() < deadline) {
    text = (await locator.textContent()) ?? '';
    if (pattern.test(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  fail(`${what}: expected ${pattern}, got ${JSON.stringify(text)}`);
}

async function expectPath(page, pattern, what) {
  try {
    await page.waitForURL((u) => pattern.test(u.pathname + u.search), { timeout: 10_000 });
  } catch {
    fail(`${what}: expected the address to match ${pattern}, it is ${page.url()}`);
  }
}

async function signIn(page, username) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The page is no wider than the viewport (no sideways scrolling at phone width). */
async function expectNoHorizontalScroll(page, what) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  if (scroll > width) fail(`${what}: the page is ${scroll}px wide in a ${width}px viewport`);
}

async function accessLogRows(page) {
  const rows = page.locator('table.access-log tbody tr');
  await rows.first().waitFor({ timeout: 10_000 });
  return rows.count();
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(tendBinary)) fail(`no tend binary at ${tendBinary} (set TEND_BINARY)`);
  if (!existsSync(join(webRoot, 'index.html'))) fail(`no ${webRoot}/index.html — run npm run build first`);
  if (!existsSync(chromiumPath)) fail(`no Chromium at ${chromiumPath} (set CHROMIUM, or apt-get install chromium)`);

  begin('the built page has no inline script or style');
  const html = readFileSync(join(webRoot, 'index.html'), 'utf8');
  if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) fail('dist/index.html has an inline <script>');
  if (/<style[\s>]/i.test(html) || /\sstyle=/i.test(html)) fail('dist/index.html has inline styles');

  begin('accounts and server');
  addUser('clin', 'clinician', ['--display-name', 'Chidi Okafor']);
  addUser('admin', 'admin', ['--display-name', 'Site Admin']);
  const port = await freePort();
  const base = await startServer(port);
  log(`tend serve on ${base}, data in ${dataDir}`);

  const headers = (await fetch(`${base}/signin`)).headers;
  const csp = headers.get('content-security-policy') ?? '';
  if (!/script-src 'self'/.test(csp)) fail(`the app is served without a strict CSP: ${csp}`);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

  // ----- staff, desktop
  const staff = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const page = await staff.newPage();
  watch(page, 'staff');

  begin('signed out, / goes to the sign-in page');
  await page.goto('/');
  await expectPath(page, /^\/signin/, 'sign-in redirect');
  await expectText(page.getByRole('heading', { level: 1 }), /Sign in/, 'sign-in heading');
  await checkA11y(page, 'sign in');
  await screenshot(page, '01-signin');

  begin('a wrong password is refused with a message');
  await page.getByLabel('Username').fill('clin');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectText(page.locator('.form-error'), /not correct/i, 'wrong-password message');

  begin('sign in as the clinician');
  await signIn(page, 'clin');
  await expectPath(page, /^\/$/, 'home after sign-in');
  await expectText(page.getByRole('heading', { level: 1 }), /Hello, Chidi Okafor/, 'home heading');
  await expectText(page.locator('#caseload-heading'), /My caseload/, 'caseload heading');
  await checkA11y(page, 'home (empty caseload)');

  begin('register a client');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New client' }).click();
  await expectPath(page, /^\/clients\/new$/, 'new-client page');
  await checkA11y(page, 'new client');
  await page.getByLabel('Given name').fill('Ada');
  await page.getByLabel('Family name').fill('Lovelace');
  await page.getByLabel('Preferred name').fill('Countess');
  await page.getByLabel('Pronouns').fill('she/her');
  await page.getByLabel('Date of birth').fill('1990-12-10');
  await page.getByLabel('Preferred language').fill('en');
  await page.getByRole('button', { name: 'Register client' }).click();
  await expectPath(page, /^\/clients\/cl_[^/]+$/, 'chart after registering');
  const clientId = new URL(page.url()).pathname.split('/')[2];
  log(`client ${clientId}`);
  await expectText(page.getByRole('heading', { level: 1 }), /Ada Lovelace/, 'chart heading');
  const facts = await expectText(page.locator('.facts'), /MRN/, 'chart facts');
  if (!/Countess/.test(facts) || !/she\/her/.test(facts) || !/\d+ years old/.test(facts)) fail(`chart header lacks preferred name, pronouns or age: ${facts}`);
  const banner = page.locator('.risk-banner[role="status"]');
  if ((await banner.count()) !== 1) fail('the chart has no risk-banner slot');
  if (await banner.isVisible()) fail('the empty risk banner is visible');
  await expectText(page.locator('.team'), /Chidi Okafor/, 'care team lists the clinician');
  await checkA11y(page, 'chart overview');
  await screenshot(page, '03-chart-overview');

  begin('a date of birth in the future shows the server’s message on that field');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New client', exact: true }).click();
  await expectPath(page, /^\/clients\/new$/, 'new-client page');
  await page.getByLabel('Given name').fill('Future');
  await page.getByLabel('Family name').fill('Person');
  await page.getByLabel('Date of birth').fill('2999-01-01');
  await page.getByRole('button', { name: 'Register client' }).click();
  const dob = page.getByLabel('Date of birth');
  await expectText(page.locator('#f-date_of_birth-error'), /must not be in the future/i, 'date-of-birth error');
  if ((await dob.getAttribute('aria-invalid')) !== 'true') fail('the date-of-birth field is not marked aria-invalid');
  if (!(await dob.getAttribute('aria-describedby'))?.includes('f-date_of_birth-error')) fail('the date-of-birth field is not described by its error');
  if (await page.getByLabel('Given name').getAttribute('aria-invalid')) fail('a valid field is marked invalid');
  await expectText(page.locator('.form-error'), /correct the marked field/, 'general message at the top');
  if (!/\/clients\/new$/.test(page.url())) fail('the form left the page after an error');
  await checkA11y(page, 'new client with an error');
  await screenshot(page, '04-new-client-error');

  begin('find the client and open the chart');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients', exact: true }).click();
  await page.getByLabel('Find a client by name').fill('lovel');
  await page.getByRole('button', { name: 'Search' }).click();
  await expectPath(page, /^\/clients\?q=lovel/, 'search address');
  await page.getByRole('link', { name: 'Ada Lovelace' }).click();
  await expectPath(page, new RegExp(`^/clients/${clientId}$`), 'chart from search');

  begin('the access log lists who read the record, and grows');
  await page.getByRole('navigation', { name: 'Chart sections' }).getByRole('link', { name: 'Access log' }).click();
  await expectPath(page, /\?tab=access-log$/, 'access-log tab address');
  const before = await accessLogRows(page);
  const firstRow = await page.locator('table.access-log tbody tr').first().textContent();
  if (!/Chidi Okafor/.test(firstRow)) fail(`the access log does not name the clinician: ${firstRow}`);
  await checkA11y(page, 'access log');
  await screenshot(page, '05-access-log');
  await page.reload();
  await expectText(page.getByRole('heading', { level: 1 }), /Ada Lovelace/, 'chart heading after reload');
  const deadline = Date.now() + 10_000;
  let after = await accessLogRows(page);
  while (after <= before && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    after = await page.locator('table.access-log tbody tr').count();
  }
  if (after <= before) fail(`the access log did not grow after a reload (${before} → ${after} rows)`);
  log(`access log ${before} → ${after} rows`);

  begin('a change made elsewhere shows up live (client.updated)');
  await page.getByRole('link', { name: 'Overview', exact: true }).click();
  await expectText(page.locator('.facts'), /she\/her/, 'pronouns before');
  const asAdmin = await apiSession(base, 'admin');
  await asAdmin('PATCH', `/api/v1/clients/${clientId}`, { pronouns: 'she/they' });
  await expectText(page.locator('.facts'), /she\/they/, 'pronouns after a change by someone else');

  begin('edit the record: a bad email is refused on its field, a phone number is saved');
  await page.getByRole('link', { name: 'Edit details' }).click();
  await expectPath(page, new RegExp(`^/clients/${clientId}/edit$`), 'edit page');
  if ((await page.getByLabel('Given name').inputValue()) !== 'Ada') fail('the edit form is not filled in');
  await page.getByLabel('Email').fill('not-an-address');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expectText(page.locator('#f-email-error'), /e-mail address/i, 'email error on its field');
  await checkA11y(page, 'edit client with an error');
  await page.getByLabel('Email').fill('');
  await page.getByLabel('Phone').fill('+1 555 0100');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expectPath(page, new RegExp(`^/clients/${clientId}$`), 'chart after saving');
  await expectText(page.locator('.details'), /\+1 555 0100/, 'saved phone number');

  begin('sign out');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectPath(page, /^\/signin/, 'sign-in page after signing out');
  await expectText(page.locator('.notice'), /You have signed out/, 'signed-out message');
  const gone = await page.evaluate(() => fetch('/api/v1/session').then((r) => r.status));
  if (gone !== 401) fail(`the session still answers ${gone} after signing out`);

  begin('admin: accounts page and adding a colleague');
  await signIn(page, 'admin');
  await expectPath(page, /^\/$/, 'admin home');
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  await expectPath(page, /^\/admin$/, 'admin page');
  await expectText(page.locator('table'), /clin/, 'accounts table');
  await checkA11y(page, 'admin');
  await page.getByLabel('Username', { exact: true }).fill('clin2');
  await page.getByLabel('Name shown to colleagues').fill('Dana Reyes');
  await page.getByLabel('Role', { exact: true }).selectOption('clinician');
  await page.getByLabel('First password').fill('short');
  await page.getByRole('button', { name: 'Add account' }).click();
  await expectText(page.locator('#user-password-error'), /12 characters/, 'password error on its field');
  await page.getByLabel('First password').fill(password);
  await page.getByRole('button', { name: 'Add account' }).click();
  await expectText(page.locator('.notice'), /clin2 added/, 'account added');
  await expectText(page.locator('table'), /Dana Reyes/, 'new account listed');
  await screenshot(page, '06-admin');

  begin('admin: add a colleague to the care team, then take them off');
  await page.goto(`/clients/${clientId}`);
  await expectText(page.getByRole('heading', { level: 1 }), /Ada Lovelace/, 'chart for the admin');
  await page.getByRole('button', { name: 'Add to the care team' }).click();
  await expectText(page.locator('#team-user_id-error'), /choose them/i, 'no colleague chosen');
  await page.getByLabel('Find a colleague').fill('rey');
  const match = page.getByRole('button', { name: 'Dana Reyes (clin2, Clinician)' });
  await match.waitFor({ timeout: 10_000 });
  await expectText(page.locator('#team-user_id-status'), /1 colleague found/, 'matches announced');
  await checkA11y(page, 'care-team colleague picker');
  await screenshot(page, '06b-colleague-picker');
  await page.getByLabel('Find a colleague').press('ArrowDown');
  if (!(await match.evaluate((e) => e === document.activeElement))) fail('the down arrow does not reach the first match');
  await page.keyboard.press('Enter');
  await expectText(page.locator('.staff-chosen'), /Dana Reyes/, 'chosen colleague shown');
  await page.getByLabel('Role on the team').selectOption('consultant');
  await page.getByRole('button', { name: 'Add to the care team' }).click();
  await expectText(page.locator('.team'), /Dana Reyes.*Consultant/, 'new team member listed');
  await page.getByRole('button', { name: 'Remove Dana Reyes from the care team' }).click();
  const team = page.locator('.team');
  const until = Date.now() + 10_000;
  while (/Dana Reyes/.test((await team.textContent()) ?? '') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (/Dana Reyes/.test((await team.textContent()) ?? '')) fail('the removed member is still listed');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectPath(page, /^\/signin/, 'signed out');

  begin('break-the-glass: a clinician off the team opens the record with a reason');
  await page.goto(`/clients/${clientId}`);
  await expectPath(page, /^\/signin\?next=/, 'sign-in keeps where we were going');
  await signIn(page, 'clin2');
  await expectPath(page, new RegExp(`^/clients/${clientId}$`), 'back to the chart after sign-in');
  await expectText(page.getByRole('heading', { level: 1 }), /No record to show/, 'no-access page');
  await page.getByRole('button', { name: 'Open with a reason…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Open this record in an emergency' });
  await dialog.waitFor();
  await page.getByRole('button', { name: 'Open record' }).click();
  await expectText(page.locator('#bg-reason-error'), /must not be empty/i, 'reason required');
  await checkA11y(page, 'break-the-glass dialog');
  await screenshot(page, '07-break-glass');
  await page.getByLabel('Why do you need this record now?').fill('Client called the crisis line; on-call clinician needs the record.');
  await page.getByRole('button', { name: 'Open record' }).click();
  await expectText(page.getByRole('heading', { level: 1 }), /Ada Lovelace/, 'chart after break-the-glass');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectPath(page, /^\/signin/, 'signed out');

  begin('sign-in with a second factor (a recovery code)');
  addUser('mfa', 'peer_support', ['--display-name', 'Sam Moss']);
  const asMfa = await apiSession(base, 'mfa');
  const { secret } = await asMfa('POST', '/api/v1/me/totp', {});
  const { recovery_codes } = await asMfa('POST', '/api/v1/me/totp/confirm', { code: totp(secret) });
  await signIn(page, 'mfa');
  await expectText(page.getByRole('heading', { level: 1 }), /Enter your code/, 'code page');
  await checkA11y(page, 'second factor');
  await page.getByLabel('Code').fill('000000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expectText(page.locator('.form-error'), /\S/, 'wrong code refused');
  await page.getByLabel('Code').fill(recovery_codes[0]);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expectText(page.getByRole('heading', { level: 1 }), /Hello, Sam Moss/, 'home after the second factor');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectPath(page, /^\/signin/, 'signed out');

  begin('admin: reset an authenticator; create, use and revoke an API token');
  await signIn(page, 'admin');
  await expectPath(page, /^\/$/, 'admin home');
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  await expectPath(page, /^\/admin$/, 'admin page');
  await page.getByRole('button', { name: 'Reset authenticator of mfa' }).click();
  const resetDialog = page.getByRole('dialog', { name: 'Reset this authenticator?' });
  await resetDialog.waitFor();
  await checkA11y(page, 'reset authenticator dialog');
  await resetDialog.getByRole('button', { name: 'Reset authenticator' }).click();
  await expectText(page.locator('.notice'), /authenticator of mfa was reset/, 'authenticator reset');
  await expectText(page.locator('tr', { hasText: 'Sam Moss' }), /Off/, 'second factor off after the reset');
  await page.getByRole('button', { name: 'API tokens of clin', exact: true }).click();
  await expectText(page.locator('#tokens-heading'), /API tokens of Chidi Okafor/, 'tokens section');
  await page.getByLabel('Name (optional)', { exact: true }).fill('e2e script');
  await page.getByLabel('Expires after (days)').fill('30');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expectText(page.locator('.token-once'), /will not be shown again/, 'token shown once');
  const token = ((await page.locator('#new-token').textContent()) ?? '').trim();
  if (!/^tnd_/.test(token)) fail(`the new token looks wrong: ${token}`);
  await expectText(page.locator('table.tokens'), /e2e script[\s\S]*Active until/, 'token listed');
  if ((await page.locator('table.tokens').textContent()).includes(token)) fail('the token list shows the token itself');
  await checkA11y(page, 'admin API tokens');
  await screenshot(page, '10-admin-tokens');
  const withToken = () => fetch(`${base}/api/v1/session`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.status);
  if ((await withToken()) !== 200) fail('the new token does not sign in');
  await page.getByRole('button', { name: 'Revoke token e2e script' }).click();
  await expectText(page.locator('table.tokens'), /Revoked/, 'token revoked');
  if ((await withToken()) !== 401) fail('the revoked token still signs in');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectPath(page, /^\/signin/, 'signed out');

  begin('a clinician turns on two-step sign-in and sees the recovery codes once');
  await signIn(page, 'clin2');
  await expectPath(page, /^\/$/, 'home');
  await page.getByRole('link', { name: 'Two-step sign-in' }).click();
  await expectPath(page, /^\/security$/, 'security page');
  await expectText(page.getByRole('heading', { level: 1 }), /Two-step sign-in/, 'security heading');
  await expectText(page.locator('main'), /Two-step sign-in is off/, 'off at first');
  await checkA11y(page, 'two-step sign-in (off)');
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const shownSecret = await expectText(page.locator('#totp-secret'), /^([A-Z2-7]{1,4} )+[A-Z2-7]{1,4}$/, 'setup key in groups of four');
  await checkA11y(page, 'two-step sign-in (setup)');
  await screenshot(page, '11-totp-setup');
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  await expectText(page.locator('#totp-code-error'), /\S/, 'empty code refused');
  await page.getByLabel('Code from the app').fill(totp(shownSecret.replace(/\s+/g, '')));
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  await expectText(page.locator('#codes-heading'), /Two-step sign-in is on/, 'enrolled');
  await expectText(page.locator('.notice'), /will not be shown again/, 'recovery codes shown once');
  const shownCodes = await page.locator('#recovery-codes li').allTextContents();
  if (shownCodes.length !== 10) fail(`expected 10 recovery codes, got ${shownCodes.length}`);
  await checkA11y(page, 'two-step sign-in (recovery codes)');
  await screenshot(page, '12-recovery-codes');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectPath(page, /^\/signin/, 'signed out');
  await signIn(page, 'clin2');
  await expectText(page.getByRole('heading', { level: 1 }), /Enter your code/, 'code asked after enrolling');
  await page.getByLabel('Code').fill(shownCodes[3].trim());
  await page.getByRole('button', { name: 'Continue' }).click();
  await expectText(page.getByRole('heading', { level: 1 }), /Hello, Dana Reyes/, 'signed in with a shown recovery code');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectPath(page, /^\/signin/, 'signed out');

  begin('staff pages fit a 360 px wide screen');
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, 'clin');
  await expectPath(page, /^\/$/, 'home');
  await expectText(page.locator('table'), /Ada Lovelace/, 'caseload lists the client');
  await expectNoHorizontalScroll(page, 'home at 360 px');
  await checkA11y(page, 'home with a caseload');
  await screenshot(page, '02-home-360');
  await page.goto(`/clients/${clientId}?tab=access-log`);
  await accessLogRows(page);
  const logText = await page.locator('table.access-log').textContent();
  if (!/Dana Reyes/.test(logText) || !/Site Admin/.test(logText)) fail(`the access log does not name every actor: ${logText}`);
  await expectNoHorizontalScroll(page, 'chart at 360 px');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await staff.close();
  assertClean();

  // ----- client, phone
  begin('client portal on a phone');
  addUser('client1', 'client', ['--client-id', clientId, '--display-name', 'Ada']);
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, baseURL: base });
  const p = await phone.newPage();
  watch(p, 'portal');
  await p.clock.install(); // the idle time-out is checked below without waiting 25 minutes
  await p.goto('/portal');
  await expectPath(p, /^\/signin/, 'portal asks to sign in');
  await signIn(p, 'client1');
  await expectPath(p, /^\/portal$/, 'portal after sign-in');
  await expectText(p.getByRole('heading', { level: 1 }), /Hello, Ada/, 'portal greeting');
  await expectText(p.locator('.access-list'), /Chidi Okafor/, 'who has seen my record names the clinician');
  const showAll = p.getByRole('button', { name: /Show all/ });
  if (await showAll.count()) await showAll.click();
  await expectText(p.locator('.access-list'), /emergency/i, 'the break-the-glass opening is shown');
  await expectText(p.locator('.access-list'), /Dana Reyes\s*Opened your record in an emergency/, 'the break-the-glass opening names who did it');
  await expectNoHorizontalScroll(p, 'portal at 360 px');
  const small = await p.evaluate(() =>
    [...document.querySelectorAll('button, a, input, select, textarea')]
      .filter((e) => e.getClientRects().length && !e.classList.contains('skip-link'))
      .map((e) => ({ what: e.outerHTML.slice(0, 60), h: e.getBoundingClientRect().height }))
      .filter((e) => e.h < 44),
  );
  if (small.length) fail(`portal controls smaller than 44 px: ${JSON.stringify(small)}`);
  await checkA11y(p, 'portal home');
  await screenshot(p, '08-portal-360');

  begin('after 25 idle minutes a warning; “Stay signed in” keeps the session; at 30 sign-out');
  await p.clock.fastForward('25:30');
  const idleDialog = p.getByRole('dialog', { name: 'You will be signed out in 5 minutes' });
  await idleDialog.waitFor({ timeout: 10_000 });
  await checkA11y(p, 'idle warning');
  await screenshot(p, '09-idle-warning-360');
  await p.getByRole('button', { name: 'Stay signed in' }).click();
  await idleDialog.waitFor({ state: 'hidden', timeout: 10_000 });
  await p.clock.fastForward('20:00');
  if (await idleDialog.isVisible()) fail('the idle warning came back before 25 minutes');
  await p.clock.fastForward('10:30');
  await expectPath(p, /^\/signin\?reason=idle/, 'signed out after 30 idle minutes');
  await expectText(p.locator('.notice'), /30 minutes without activity/, 'idle sign-out message');
  await phone.close();
  assertClean();

  await measures(base, clientId);
  await crisis(base, clientId);
  await notes(base, clientId);
  await plans(base, clientId);
  await diagnoses(base, clientId);
  await groupNotes(base, clientId);
  await supervisors(base);
  await education(base, clientId);
  await checkIns(base, clientId);
  await myRecord(base, clientId);
  await suggestedReading(base, clientId);
  await messaging(base);
  const joined = await invitation(base);
  await firstCheckIn(base, joined);
  await joined.context.close();
  assertClean();
}

/** Every control on a phone page is at least 44 px tall; a radio counts by its label, a link inside a sentence is exempt. */
async function expectBigTargets(page, what) {
  const small = await page.evaluate(() =>
    [...document.querySelectorAll('button, a, input, select, textarea, summary')]
      .filter((e) => e.getClientRects().length && !e.classList.contains('skip-link'))
      .filter((e) => !(e.tagName === 'A' && getComputedStyle(e).display === 'inline' && e.closest('p')))
      .map((e) => {
        const target = e.matches('input[type=radio], input[type=checkbox]') ? (e.closest('label') ?? e) : e;
        return { what: e.outerHTML.slice(0, 80), h: Math.round(target.getBoundingClientRect().height) };
      })
      .filter((e) => e.h < 44),
  );
  if (small.length) fail(`${what}: controls smaller than 44 px: ${JSON.stringify(small)}`);
}

/** Taps the answer of the one question on screen and waits for the next screen. */
async function tapAnswer(page, label, next) {
  await page.getByRole('radio', { name: label, exact: true }).tap();
  await expectText(page.locator('.step-heading'), next, `after answering “${label}”`);
}

function isoDaysAgo(days) {
  return new Date(Date.now() - days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const phq9 = (values) => values.map((value, i) => ({ linkId: `q${i + 1}`, value }));
const gad7 = phq9; // q1 … q7, the same way
const phqInstructions = 'Over the last 2 weeks, how often have you been bothered by any of the following problems?';
const gadInstructions = 'Over the last 2 weeks, how often have you been bothered by the following problems?';

// ---------------------------------------------------------------------------------------------
// Measurement-based care: the Measures tab, administering, schedules, what is due, the portal
// questionnaire and a questionnaire link, on the client registered above (Ada Lovelace).

async function measures(base, clientId) {
  begin('measures: a baseline PHQ-9 four weeks ago, entered through the API');
  const asClin = await apiSession(base, 'clin');
  // 3+3+3+2+2+2+2+2+0 = 19, moderately severe
  const baseline = await asClin(
    'POST',
    `/api/v1/clients/${clientId}/assessments`,
    { instrument: 'phq-9', answers: phq9([3, 3, 3, 2, 2, 2, 2, 2, 0]), rater: 'self', completed_at: isoDaysAgo(28) },
    { 'Idempotency-Key': randomUUID() },
  );
  if (baseline.total !== 19) fail(`the baseline PHQ-9 scored ${baseline.total}, not 19`);

  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const d = await desk.newPage();
  watch(d, 'measures');
  await d.goto('/');
  await signIn(d, 'clin');
  await expectPath(d, /^\/$/, 'home');
  await expectText(d.locator('#due-heading'), /Measures due/, 'measures due on the home page');

  begin('measures: the tab shows the first result');
  await d.goto(`/clients/${clientId}?tab=measures`);
  const card = d.locator('section.measure', { has: d.getByRole('heading', { name: 'PHQ-9', exact: true }) });
  await expectText(card.locator('.measure-latest'), /Latest: 19 of 27, Moderately severe/, 'latest PHQ-9');
  if (await d.locator('section.outcome').count()) fail('an outcome is shown with only one result');
  await checkA11y(d, 'measures tab (one result)');

  begin('measures: a clinician administers a PHQ-9 on a desktop, all items on one page');
  await d.getByLabel('Questionnaire', { exact: true }).first().selectOption('phq-9');
  await d.getByRole('link', { name: 'Administer now' }).click();
  await expectPath(d, new RegExp(`^/clients/${clientId}/assess/phq-9$`), 'administer page');
  await expectText(d.getByRole('heading', { level: 1 }), /PHQ-9 for Ada Lovelace/, 'administer heading');
  const shown = await d.locator('fieldset.question').count();
  if (shown !== 10) fail(`the desktop form shows ${shown} items, not all 10 on one page`);
  // the form's instructions, once, above the items
  const instructions = await expectText(d.locator('.questionnaire .question-instructions'), /Over the last 2 weeks/, 'PHQ-9 instructions on the administer page');
  if (instructions.trim() !== phqInstructions) fail(`the administer page's instructions read ${JSON.stringify(instructions)}`);
  const above = await d.evaluate(() => {
    const text = document.querySelectorAll('.question-instructions');
    const first = document.querySelector('fieldset.question');
    return text.length === 1 && !!first && !!(text[0].compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  if (!above) fail('the instructions are not shown once above the items');
  await checkA11y(d, 'administer (desktop)');
  await d.getByRole('button', { name: 'Save and score' }).click();
  await expectText(d.locator('.form-error'), /answer the 9 marked questions/, 'unanswered items marked');
  if (!(await d.locator('[data-link-id="q1"] input').first().evaluate((e) => e === document.activeElement))) fail('focus did not move to the first unanswered item');
  const words = ['Not at all', 'Several days', 'More than half the days', 'Nearly every day'];
  // 2+2+1+2+1+1+1+1+1 = 12, moderate; item 9 answered: a critical flag
  const answers = [2, 2, 1, 2, 1, 1, 1, 1, 1];
  for (const [i, v] of answers.entries()) await d.locator(`[data-link-id="q${i + 1}"]`).getByRole('radio', { name: words[v], exact: true }).check();
  await d.locator('[data-link-id="difficulty"]').getByRole('radio', { name: 'Somewhat difficult' }).check();
  await screenshot(d, '13-administer-desktop');
  await d.getByRole('button', { name: 'Save and score' }).click();
  await expectText(d.getByRole('heading', { name: 'Result recorded' }), /Result recorded/, 'result screen');
  const result = await expectText(d.locator('.result'), /12 of 27/, 'total of the maximum');
  for (const want of [/Moderate/, /Down 7 since previous — reliable improvement/]) if (!want.test(result)) fail(`the result lacks ${want}: ${result}`);
  await expectText(d.getByRole('note', { name: 'Needs attention today' }), /Thoughts of death or self-harm \(item 9\).*item 9 answered “Several days”/, 'critical flag shown');
  await checkA11y(d, 'administer result');
  await screenshot(d, '14-administer-result');

  begin('measures: the chart shows both results, the reliable change marked and worded');
  await d.getByRole('link', { name: 'See all measures' }).click();
  await expectPath(d, new RegExp(`^/clients/${clientId}\\?tab=measures$`), 'measures tab');
  await expectText(card.locator('.measure-change'), /Down 7 since first — reliable improvement/, 'change in words');
  await expectText(card.locator('g.point--improvement .marker-text'), /Better/, 'reliable-improvement marker with its word');
  const stripes = await card.locator('g.band text').allTextContents();
  if (stripes.join('|') !== 'Minimal|Mild|Moderate|Moderately severe|Severe') fail(`band labels: ${stripes.join('|')}`);
  await card.locator(`g.point[data-id="${baseline.id}"]`).click();
  await expectText(card.locator('.result-detail'), /Little interest or pleasure in doing things[\s\S]*Nearly every day/, 'answers of the chosen result');
  await checkA11y(d, 'measures chart with answers');
  await screenshot(d, '15-measures-chart');

  begin('measures: two GAD-7 results (through the API) give the NHS Talking Therapies outcome');
  // 2+2+2+2+1+1+1 = 11, then 7; the later one more than 7 days ago, so the weekly GAD-7
  // schedule added below is still due today
  for (const [values, days, total] of [
    [[2, 2, 2, 2, 1, 1, 1], 27, 11],
    [[1, 1, 1, 1, 1, 1, 1], 14, 7],
  ]) {
    const gad = await asClin(
      'POST',
      `/api/v1/clients/${clientId}/assessments`,
      { instrument: 'gad-7', answers: gad7(values), rater: 'self', completed_at: isoDaysAgo(days) },
      { 'Idempotency-Key': randomUUID() },
    );
    if (gad.total !== total) fail(`a GAD-7 scored ${gad.total}, not ${total}`);
  }
  const outcome = d.locator('section.outcome');
  // PHQ-9 19 → 12 is a reliable improvement, but 12 is still in the clinical range
  await expectText(
    outcome.locator('.outcome-tt'),
    /^Reliably improved, not recovered: still in the clinical range \(NHS Talking Therapies definitions: PHQ-9 19 → 12, GAD-7 11 → 7\)$/,
    'Talking Therapies outcome after two PHQ-9 and two GAD-7',
  );
  await expectText(outcome.locator('li', { hasText: 'PHQ-9' }), /PHQ-9: 19 → 12 \(.*2 results\)\. Down 7 since first — reliable improvement/, 'PHQ-9 first → latest');
  await expectText(outcome.locator('li', { hasText: 'GAD-7' }), /GAD-7: 11 → 7 \(.*2 results\)\. Down 4 since first/, 'GAD-7 first → latest');
  await checkA11y(d, 'measures outcome so far');

  begin('measures: a result scored elsewhere appears live');
  await asClin('POST', `/api/v1/clients/${clientId}/assessments`, { instrument: 'phq-9', answers: phq9([1, 1, 1, 1, 1, 1, 1, 1, 0]), rater: 'clinician' }, { 'Idempotency-Key': randomUUID() });
  await expectText(card.locator('.measure-head'), /3 results/, 'measures reloaded on assessment.scored');
  // 19 → 8 and 11 → 7: both below the cut-offs now, and reliably better
  await expectText(outcome.locator('.outcome-tt'), /^Recovered and reliably improved \(NHS Talking Therapies definitions: PHQ-9 19 → 8, GAD-7 11 → 7\)$/, 'outcome reloaded on assessment.scored');
  await outcome.scrollIntoViewIfNeeded();
  await screenshot(d, '15b-measures-outcome');

  begin('measures: schedules are added, listed with the next due date, and stopped');
  const schedules = d.locator('section.schedules');
  const addSchedule = async (instrument, days) => {
    await schedules.getByLabel('Questionnaire').selectOption(instrument);
    await schedules.getByLabel('Every (days)').fill(String(days));
    await schedules.getByRole('button', { name: 'Add schedule' }).click();
    await expectText(schedules.locator('.notice'), new RegExp(`every ${days} days added`), `${instrument} schedule added`);
  };
  await addSchedule('phq-9', 14);
  await addSchedule('gad-7', 7);
  await addSchedule('who-5', 28);
  await expectText(schedules.locator('li', { hasText: 'GAD-7' }), /Due today/, 'GAD-7 due today (no result yet)');
  await expectText(schedules.locator('li', { hasText: 'PHQ-9' }), /Due (?!today)/, 'PHQ-9 due in 14 days (a result today)');
  await schedules.getByRole('button', { name: 'Stop WHO-5 every 28 days' }).click();
  await expectText(schedules.locator('.notice'), /WHO-5 every 28 days stopped/, 'schedule stopped');
  // The notice comes before the list is reloaded: wait for the row to go, rather than look once.
  await schedules.locator('li', { hasText: 'WHO-5' }).waitFor({ state: 'detached', timeout: 10000 })
    .catch(() => fail('the stopped schedule is still listed'));
  await checkA11y(d, 'measures schedules');
  await screenshot(d, '16-measures-schedules');

  begin('measures: send a link');
  await d.getByLabel('Questionnaire', { exact: true }).first().selectOption('phq-9');
  await d.getByRole('button', { name: 'Send a link' }).click();
  const linkUrl = (await expectText(d.locator('#assessment-link'), /\/a\/\S+/, 'link shown')).trim();
  const linkPath = new URL(linkUrl).pathname;
  log(`link ${linkPath}`);
  await checkA11y(d, 'measures link made');

  begin('home: measures due, with a link to administer');
  await d.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
  const dueRow = d.locator('table.due-table tr', { hasText: 'GAD-7' });
  // the server names the client as colleagues call them (preferred name first)
  await expectText(dueRow, /Lovelace[\s\S]*Due today/, 'GAD-7 due for Ada');
  if ((await d.locator('table.due-table tr', { hasText: 'WHO-5' }).count()) !== 0) fail('a stopped schedule is listed as due');
  await checkA11y(d, 'home with measures due');
  await screenshot(d, '17-home-measures-due');
  await dueRow.getByRole('link', { name: /^Administer the GAD-7 for .*Lovelace$/ }).click();
  await expectPath(d, new RegExp(`^/clients/${clientId}/assess/gad-7$`), 'administer from the due list');
  await d.getByRole('button', { name: 'Sign out' }).click();
  await desk.close();
  assertClean();

  begin('portal on a phone (390×844): the questionnaire that is due, one question per screen');
  const ph = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, baseURL: base });
  const q = await ph.newPage();
  watch(q, 'portal questionnaire');
  await q.goto('/portal');
  await signIn(q, 'client1');
  await expectPath(q, /^\/portal$/, 'portal');
  await expectText(q.locator('.todo-list'), /GAD-7/, 'GAD-7 to do');
  await expectText(q.locator('#my-results').locator('..'), /PHQ-9[\s\S]*12 out of 27/, 'own PHQ-9 totals');
  await checkA11y(q, 'portal with a questionnaire to do');
  await expectBigTargets(q, 'portal');
  await screenshot(q, '18-portal-todo-390');
  await q.getByRole('link', { name: 'Start the GAD-7' }).tap();
  await expectPath(q, /^\/portal\/questionnaires\/gad-7$/, 'portal questionnaire');
  await q.getByRole('button', { name: 'Start' }).tap();
  await expectText(q.locator('.step-heading'), /Question 1 of 8/, 'progress');
  const gadShown = await expectText(q.locator('.question-instructions'), /Over the last 2 weeks/, 'GAD-7 instructions above the question');
  if (gadShown.trim() !== gadInstructions) fail(`the portal's GAD-7 instructions read ${JSON.stringify(gadShown)}`);
  await checkA11y(q, 'portal questionnaire item');
  await expectBigTargets(q, 'portal questionnaire item');
  await expectNoHorizontalScroll(q, 'portal questionnaire at 390 px');
  await screenshot(q, '19-portal-question-390');
  await tapAnswer(q, 'Several days', /Question 2 of 8/);
  await q.getByRole('button', { name: 'Back' }).tap();
  await expectText(q.locator('.step-heading'), /Question 1 of 8/, 'back to the first question');
  if (!(await q.getByRole('radio', { name: 'Several days', exact: true }).isChecked())) fail('the answer was not kept after Back');
  await q.getByRole('button', { name: 'Next' }).tap();
  for (let n = 2; n <= 7; n++) await tapAnswer(q, n === 7 ? 'More than half the days' : 'Several days', new RegExp(`Question ${n + 1} of 8`));
  await expectText(q.locator('.question-instructions'), /^Over the last 2 weeks/, 'the instructions on the last question too');
  await tapAnswer(q, 'Somewhat difficult', /Ready to send/);
  await checkA11y(q, 'portal questionnaire ready to send');
  await q.getByRole('button', { name: 'Send my answers' }).tap();
  const thanks = await expectText(q.locator('.thanks'), /Thank you/, 'portal thanks');
  if (/flag|critical|item \d/i.test(thanks)) fail(`the client sees scoring language: ${thanks}`);
  await checkA11y(q, 'portal questionnaire result');
  await screenshot(q, '20-portal-result-390');
  await q.getByRole('link', { name: 'Back to home' }).tap();
  await expectText(q.locator('#todo-heading').locator('..'), /Nothing to fill in right now/, 'nothing left to do');
  await expectText(q.locator('#my-results').locator('..'), /GAD-7[\s\S]*8 out of 21/, 'the new GAD-7 total in the history');
  await ph.close();
  assertClean();

  begin('a questionnaire link on a phone, without signing in; an answer that needs follow-up');
  const anon = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, baseURL: base });
  const a = await anon.newPage();
  watch(a, 'link');
  await a.goto(linkPath);
  await expectText(a.getByRole('heading', { level: 1 }), /PHQ-9/, 'link questionnaire heading');
  await checkA11y(a, 'questionnaire link: before you start');
  await expectBigTargets(a, 'questionnaire link');
  await screenshot(a, '21-link-start-390');
  await a.getByRole('button', { name: 'Start' }).tap();
  await expectText(a.locator('.question-instructions'), /^Over the last 2 weeks, how often have you been bothered by any of the following problems\?$/, 'PHQ-9 instructions on the link page');
  for (let n = 1; n <= 8; n++) await tapAnswer(a, 'Not at all', new RegExp(`Question ${n + 1} of 10`));
  await expectText(a.locator('.question-instructions'), /^Over the last 2 weeks/, 'the instructions on every screen');
  await checkA11y(a, 'questionnaire link: item 9');
  await tapAnswer(a, 'More than half the days', /Question 10 of 10/);
  await a.getByRole('button', { name: 'Next' }).tap(); // the last item is optional
  await expectText(a.locator('.step-heading'), /Ready to send/, 'ready to send');
  await a.getByRole('button', { name: 'Send my answers' }).tap();
  const followUp = await expectText(a.locator('.thanks'), /Someone will be in touch/, 'follow-up message');
  for (const want of [/emergency number/, /988/]) if (!want.test(followUp)) fail(`the follow-up message lacks ${want}: ${followUp}`);
  await checkA11y(a, 'questionnaire link: follow-up');
  await expectNoHorizontalScroll(a, 'questionnaire link at 390 px');
  await screenshot(a, '22-link-follow-up-390');
  await a.reload();
  await expectText(a.getByRole('heading', { level: 1 }), /This link cannot be used/, 'a used link');
  await anon.close();
  assertClean();
}

// ---------------------------------------------------------------------------------------------
// Crisis response: the safety plan written by the clinician and seen by the client, the risk
// screen after a PHQ-9 with item 9 answered (also with the network cut), "I need help now", the
// banner on the clinician's open page, acknowledge and resolve, caring contacts, and the admin's
// roster and webhooks. Still on Ada Lovelace.

async function diagnoses(base, clientId) {
  begin('diagnoses: a prescriber joins the care team');
  const rxId = addUser('jpark', 'prescriber', ['--display-name', 'Jun Park, MD']);
  const asClin = await apiSession(base, 'clin');
  await asClin('POST', `/api/v1/clients/${clientId}/care-team`, { user_id: rxId, role: 'prescriber' });

  begin('diagnoses: the clinician finds F32 as they type and adds a provisional primary diagnosis');
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const c = await ctx.newPage();
  watch(c, 'diagnoses');
  await c.goto('/');
  await signIn(c, 'clin');
  await expectPath(c, /^\/$/, 'home');
  await c.goto(`/clients/${clientId}?tab=diagnoses`);
  await expectText(c.locator('#tab-heading'), /Diagnoses & medication/, 'the Diagnoses & medication tab');
  await c.getByRole('button', { name: 'Add a diagnosis' }).click();
  const box = c.getByRole('combobox', { name: /Diagnosis code/ });
  await box.fill('F32');
  const option = c.getByRole('option', { name: /^F32\.1 Major depressive disorder, single episode, moderate/ });
  await option.waitFor({ state: 'visible', timeout: 10_000 });
  await checkA11y(c, 'diagnosis code search');
  await option.click();
  await expectText(c.locator('.code-chosen'), /F32\.1/, 'the chosen code');
  await c.getByLabel('Rank').selectOption('primary');
  await c.getByLabel('Status').selectOption('provisional');
  await c.getByRole('button', { name: 'Add the diagnosis' }).click();
  const card = c.locator('section.diagnosis', { has: c.getByRole('heading', { name: /F32\.1/ }) });
  await expectText(card.locator('h4'), /Primary.*Provisional/, 'the new diagnosis, primary and provisional');

  begin('diagnoses: the clinician confirms it and the history shows the change');
  await card.getByRole('button', { name: 'Confirm F32.1' }).click();
  await expectText(card.locator('h4'), /Primary.*Confirmed/, 'the diagnosis confirmed');
  await card.getByText('History of F32.1').click();
  await expectText(card.locator('details ol'), /Provisional → Confirmed/, 'the change in the history');
  await checkA11y(c, 'diagnoses tab');
  await screenshot(c, '40-diagnoses');
  await ctx.close();

  begin('medication: a prescriber starts a medication two weeks ago and sees it on the measures graph');
  const rxCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const r = await rxCtx.newPage();
  watch(r, 'medication');
  await r.goto('/');
  await signIn(r, 'jpark');
  await expectPath(r, /^\/$/, 'home');
  await r.goto(`/clients/${clientId}?tab=diagnoses`);
  await r.getByRole('button', { name: 'Start a medication' }).click();
  const form = r.getByRole('form', { name: 'Start a medication' });
  const startedOn = isoDaysAgo(14).slice(0, 10);
  await form.getByLabel('Medication', { exact: true }).fill('Sertraline');
  await form.getByLabel(/^Dose/).fill('50 mg');
  await form.getByLabel(/^How often/).fill('once daily');
  await form.getByLabel(/^Started on/).fill(startedOn);
  await form.getByRole('button', { name: 'Start the medication' }).click();
  const med = r.locator('section.medication--current', { has: r.getByRole('heading', { name: /Sertraline 50 mg/ }) });
  await expectText(med.locator('.medication-changes'), /Started 50 mg, once daily by Jun Park, MD/, 'the medication started');
  await checkA11y(r, 'medication list');
  await r.goto(`/clients/${clientId}?tab=measures`);
  const phq = r.locator('section.measure', { has: r.getByRole('heading', { name: 'PHQ-9', exact: true }) });
  const mark = phq.locator(`.event-mark[data-on="${startedOn}"]`);
  try {
    await mark.waitFor({ state: 'attached', timeout: 10_000 });
  } catch {
    fail(`no medication mark for ${startedOn} on the PHQ-9 graph`);
  }
  const said = (await mark.locator('title').textContent()) ?? '';
  if (!/Started Sertraline 50 mg/.test(said)) fail(`the medication mark says ${JSON.stringify(said)}`);
  const desc = (await phq.locator('desc').textContent()) ?? '';
  if (!/Medication changes marked: .*Started Sertraline 50 mg/.test(desc)) fail(`the chart's description does not name the change: ${desc}`);
  await screenshot(r, '41-measures-medication');
  await rxCtx.close();
  assertClean();
}

async function crisis(base, clientId) {
  begin('crisis: earlier alerts for Ada (from the measures above) are closed through the API');
  const asClin = await apiSession(base, 'clin');
  const earlier = await asClin('GET', `/api/v1/clients/${clientId}/alerts?status=active`);
  for (const a of earlier.items) {
    if (a.status === 'open') await asClin('POST', `/api/v1/alerts/${a.id}/acknowledge`, {});
    await asClin('POST', `/api/v1/alerts/${a.id}/resolve`, { outcome: 'no_risk_found', note: 'closed before the crisis browser test' });
  }
  log(`${earlier.items.length} earlier alert(s) closed`);

  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const c = await desk.newPage();
  watch(c, 'crisis clinician');
  await c.goto('/');
  await signIn(c, 'clin');
  await expectPath(c, /^\/$/, 'home');
  if (await c.locator('.crisis-banner').count()) fail('a crisis banner shows with no open alert');

  begin('crisis: the clinician writes a safety plan on the chart');
  await c.goto(`/clients/${clientId}?tab=safety-plan`);
  await expectText(c.locator('.safety-plan'), /No safety plan yet/, 'no plan yet');
  await c.getByRole('button', { name: 'Write a safety plan' }).click();
  const lines = [
    ['Warning signs', 'Not sleeping, pacing at night'],
    ['Internal coping strategies', 'Walk the dog round the park'],
    ['People to ask for help', 'Sam (sister)'],
    ['Reasons for living', 'My children'],
  ];
  for (const [section, text] of lines) {
    await c.getByRole('button', { name: `Add a line to ${section}` }).click();
    await c.getByLabel(`${section}, line 1`, { exact: true }).fill(text);
  }
  await c.getByRole('button', { name: 'Add a line to Warning signs' }).click();
  await c.getByLabel('Warning signs, line 2', { exact: true }).fill('Staying in bed all day');
  await c.getByRole('button', { name: 'Move up: Warning signs, line 2' }).click();
  await c.getByRole('button', { name: 'Add a contact' }).click();
  await c.getByLabel('Name or service').fill('Chidi Okafor (clinician)');
  await c.getByLabel('Phone (optional)').fill('+1 555 0100');
  await checkA11y(c, 'safety plan editor');
  await screenshot(c, '23-safety-plan-editor');
  await c.getByRole('button', { name: 'Save the plan' }).click();
  await expectText(c.locator('.safety-plan .notice'), /Safety plan saved \(version 1\)/, 'plan saved');
  const shownPlan = await expectText(c.locator('.plan-view'), /Walk the dog round the park/, 'plan shown after saving');
  if (shownPlan.indexOf('Staying in bed all day') > shownPlan.indexOf('Not sleeping')) fail('the line moved up is not first');
  await checkA11y(c, 'safety plan');

  begin('crisis: a save over someone else’s keeps the text typed (409), then goes on top');
  await c.getByRole('button', { name: 'Edit the plan' }).click();
  await asClin('PUT', `/api/v1/clients/${clientId}/safety-plan`, {
    version: 1,
    sections: { warning_signs: ['Not sleeping, pacing at night'], coping_strategies: ['Walk the dog round the park'], distractions: ['The café on Main Street'], people_to_ask: ['Sam (sister)'], professionals: [{ name: 'Chidi Okafor (clinician)', phone: '+1 555 0100' }], safe_environment: [], reasons_for_living: ['My children'] },
  });
  await c.getByRole('button', { name: 'Add a line to Making the environment safe' }).click();
  await c.getByLabel('Making the environment safe, line 1', { exact: true }).fill('Medicines kept by Sam');
  await c.getByRole('button', { name: 'Save the plan' }).click();
  await expectText(c.locator('.plan-editor .form-error'), /changed by someone else since you opened it/, '409 message');
  if ((await c.getByLabel('Making the environment safe, line 1', { exact: true }).inputValue()) !== 'Medicines kept by Sam') fail('the text typed was lost after a 409');
  await c.getByRole('button', { name: 'Reload their version' }).click();
  await expectText(c.locator('.plan-theirs'), /The café on Main Street/, 'their version shown beside');
  await checkA11y(c, 'safety plan conflict');
  await c.getByRole('button', { name: 'Save the plan' }).click();
  await expectText(c.locator('.safety-plan .notice'), /Safety plan saved \(version 3\)/, 'saved on top of theirs');
  await c.getByRole('button', { name: 'Earlier versions' }).click();
  await c.getByRole('button', { name: 'View version 1' }).click();
  const versionDialog = c.getByRole('dialog', { name: 'Version 1' });
  await expectText(versionDialog, /Staying in bed all day/, 'version 1 shown');
  await checkA11y(c, 'safety plan version');
  await versionDialog.getByRole('button', { name: 'Close' }).click();
  await versionDialog.waitFor({ state: 'hidden' });

  begin('crisis: the clinician’s page waits on the alert board');
  await c.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Alerts/ }).click();
  await expectPath(c, /^\/alerts$/, 'alert board');
  await expectText(c.locator('main'), /No active alerts/, 'an empty board');
  await checkA11y(c, 'alert board (empty)');

  begin('crisis: the client reads the plan in the portal, with crisis lines');
  const ph = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, baseURL: base });
  const q = await ph.newPage();
  watch(q, 'crisis portal');
  await q.goto('/portal');
  await signIn(q, 'client1');
  await expectPath(q, /^\/portal$/, 'portal');
  await q.getByRole('link', { name: 'Open my safety plan' }).tap();
  await expectPath(q, /^\/portal\/safety-plan$/, 'my safety plan');
  const myPlan = await expectText(q.locator('.plan-view'), /Medicines kept by Sam/, 'the client sees the clinician’s plan');
  for (const want of [/My warning signs/, /Not sleeping, pacing at night/, /My children/]) if (!want.test(myPlan)) fail(`the portal plan lacks ${want}: ${myPlan}`);
  if ((await q.locator('.plan-view a[href="tel:+15550100"]').count()) !== 1) fail('the professional’s phone is not a tel: link');
  await expectText(q.locator('.crisis-lines'), /988/, 'crisis lines under the plan');
  if (!(await q.locator('.crisis-lines a[href^="sms:"]').count())) fail('no sms: link among the crisis lines');
  await checkA11y(q, 'portal: my safety plan');
  await expectBigTargets(q, 'portal: my safety plan');
  await expectNoHorizontalScroll(q, 'my safety plan at 390 px');
  await screenshot(q, '24-portal-safety-plan-390');

  begin('crisis: the safety plan prints as a plan with its crisis lines, without the portal around it, on at most two A4 pages');
  await q.emulateMedia({ media: 'print' });
  for (const chrome of ['.portal-header', '.plan-page-actions', '.leave']) {
    if (await q.locator(chrome).first().isVisible()) fail(`${chrome} shows on the printed safety plan`);
  }
  for (const [part, want] of [['.plan-view', /Medicines kept by Sam/], ['.crisis-lines', /988/]]) {
    const text = (await q.locator(part).first().isVisible()) ? await q.locator(part).first().innerText() : '';
    if (!want.test(text)) fail(`the printed safety plan lacks ${part} (${want})`);
  }
  const pdf = await q.pdf({ format: 'A4', printBackground: false });
  if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') fail('printing the safety plan gave no PDF');
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
  if (pages < 1 || pages > 2) fail(`the printed safety plan takes ${pages} A4 pages (want 1 or 2)`);
  log(`safety plan printed: ${pages} A4 page(s), ${pdf.length} bytes`);
  await q.emulateMedia({ media: 'screen' });

  begin('crisis: a PHQ-9 with item 9 = 2 in the portal → the risk screen; the clinician’s open page shows the banner');
  const answerPhq9 = async () => {
    await q.goto('/portal/questionnaires/phq-9');
    await q.getByRole('button', { name: 'Start' }).tap();
    for (let n = 1; n <= 8; n++) await tapAnswer(q, 'Not at all', new RegExp(`Question ${n + 1} of 10`));
    await tapAnswer(q, 'More than half the days', /Question 10 of 10/);
    await q.getByRole('button', { name: 'Next' }).tap();
    await expectText(q.locator('.step-heading'), /Ready to send/, 'ready to send');
  };
  await answerPhq9();
  await q.getByRole('button', { name: 'Send my answers' }).tap();
  await expectText(q.getByRole('heading', { name: 'Thank you for telling us how things are' }), /Thank you/, 'risk screen');
  await expectText(q.locator('.risk-screen [role="status"]'), /Your answers have reached your care team/, 'answers sent');
  await expectText(q.locator('.risk-screen .crisis-lines'), /988/, 'crisis lines on the risk screen');
  await expectText(q.locator('.risk-screen .my-plan'), /Walk the dog round the park/, 'safety plan on the risk screen');
  const riskText = await q.locator('main').textContent();
  if (/flag|critical|item 9/i.test(riskText)) fail(`the client sees scoring language: ${riskText}`);
  await checkA11y(q, 'portal risk screen');
  await expectNoHorizontalScroll(q, 'risk screen at 390 px');
  await screenshot(q, '25-portal-risk-screen-390');
  const bannerLine = c.locator('.crisis-banner .crisis-alert').first();
  await expectText(bannerLine.getByRole('alert'), /(High|Imminent) risk: .*Lovelace/, 'banner on the clinician’s open page');
  await expectText(c.locator('table.alert-board'), /Lovelace[\s\S]*Open[\s\S]*Primary clinician/, 'the board lists the alert live');
  await expectText(c.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Alerts/ }), /Alerts\s*1 open/, 'open count in the navigation');
  if (!(await c.getByRole('button', { name: /^Sound: (on|off)$/ }).count())) fail('no sound toggle on the banner');
  await checkA11y(c, 'alert board with the crisis banner');
  await screenshot(c, '26-crisis-banner');

  begin('crisis: the portal’s service worker keeps only the plan and the crisis lines');
  await q.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  const kept = await q.evaluate(async () => (await (await caches.open('tend-portal-data')).keys()).map((r) => new URL(r.url).pathname).sort());
  if (kept.join(' ') !== '/api/v1/me/crisis-resources /api/v1/me/safety-plan') fail(`the portal keeps ${JSON.stringify(kept)}`);

  begin('crisis: the same answers with the network cut after the form was opened: still the risk screen');
  await answerPhq9();
  await ph.setOffline(true);
  await q.getByRole('button', { name: 'Send my answers' }).tap();
  await expectText(q.getByRole('heading', { name: 'Thank you for telling us how things are' }), /Thank you/, 'risk screen with no network');
  await expectText(q.locator('.risk-screen [role="status"]'), /could not reach Tend/, 'says the answers were not sent');
  await expectText(q.locator('.risk-screen .crisis-lines'), /988/, 'crisis lines with no network');
  await expectText(q.locator('.risk-screen .my-plan'), /Walk the dog round the park/, 'safety plan with no network');
  await checkA11y(q, 'portal risk screen (offline)');
  await screenshot(q, '27-portal-risk-screen-offline-390');

  begin('crisis: “I need help now” with no network says to call, and shows the lines');
  await q.getByRole('link', { name: 'I need help now' }).tap();
  await expectPath(q, /^\/portal\/help$/, 'help screen');
  await expectText(q.locator('.help-status'), /We could not reach Tend — please call one of these numbers/, 'help-now failed offline');
  await expectText(q.locator('.crisis-lines'), /988/, 'lines on the help screen offline');
  await expectText(q.locator('.my-plan'), /Sam \(sister\)/, 'plan on the help screen offline');

  begin('crisis: with no signal at all the portal opens from this phone (service worker)');
  await q.goto('/portal/safety-plan');
  await expectText(q.getByRole('heading', { level: 1 }), /No connection/, 'the no-signal page');
  await expectText(q.locator('.my-plan'), /Medicines kept by Sam/, 'the plan from this phone');
  await expectText(q.locator('.crisis-lines'), /988/, 'the lines from this phone');
  await checkA11y(q, 'portal with no signal');
  await screenshot(q, '28-portal-offline-390');
  await ph.setOffline(false);

  begin('crisis: “I need help now” tells the care team');
  await q.goto('/portal');
  await expectText(q.getByRole('heading', { level: 1 }), /Hello, Ada/, 'portal again');
  await q.getByRole('link', { name: 'I need help now' }).tap();
  await expectPath(q, /^\/portal\/help$/, 'help screen');
  await expectText(q.locator('.help-status'), /Your care team has been told/, 'help-now sent');
  await expectText(q.locator('.crisis-lines'), /988/, 'lines on the help screen');
  await checkA11y(q, 'portal help now');
  await expectBigTargets(q, 'portal help now');
  await screenshot(q, '29-portal-help-now-390');
  await expectText(bannerLine.getByRole('alert'), /Imminent risk: .*Lovelace/, 'help now raised the alert to imminent');

  begin('crisis: signing out empties what the phone kept');
  await q.getByRole('button', { name: 'Sign out' }).tap();
  await expectPath(q, /^\/signin/, 'signed out');
  // the plan and the lines are gone (the app shell, which holds nothing personal, may be kept again)
  let left = [];
  for (const until = Date.now() + 5_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    left = await q.evaluate(async () => ((await caches.has('tend-portal-data')) ? (await (await caches.open('tend-portal-data')).keys()).map((r) => r.url) : []));
    if (!left.length) break;
  }
  if (left.length) fail(`the phone still keeps after sign-out: ${left.join(', ')}`);
  await ph.close();

  begin('crisis: the clinician acknowledges from the banner, then resolves on the alert page');
  await c.goto('/');
  await expectText(c.locator('.home-alerts'), /Lovelace/, 'open alerts at the top of home');
  await checkA11y(c, 'home with an open alert');
  await c.locator('.crisis-banner').getByRole('button', { name: /^Acknowledge the alert for .*Lovelace/ }).click();
  await c.locator('.crisis-banner').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => fail('the banner stayed after acknowledging'));
  await c.goto(`/clients/${clientId}`);
  await expectText(c.locator('.risk-banner'), /Imminent risk — alert acknowledged[\s\S]*Acknowledged by Chidi Okafor/, 'the chart’s risk banner');
  await checkA11y(c, 'chart with a risk banner');
  await c.locator('.risk-banner').getByRole('link', { name: 'Open the alert' }).click();
  await expectPath(c, /^\/alerts\/[^/]+$/, 'alert page');
  const timeline = await expectText(c.locator('.timeline'), /Acknowledged by Chidi Okafor/, 'timeline with the acknowledgement');
  for (const want of [/Alert raised/, /Notified Chidi Okafor/]) if (!want.test(timeline)) fail(`the timeline lacks ${want}: ${timeline}`);
  await expectText(c.locator('.signal-list'), /“I need help now” in the portal/, 'the help-now signal listed');
  await checkA11y(c, 'alert page');
  await screenshot(c, '30-alert-page');
  await c.getByRole('button', { name: 'Resolve…' }).click();
  const resolve = c.getByRole('dialog', { name: /^Resolve the alert for/ });
  await resolve.waitFor();
  await resolve.getByLabel('What happened?').selectOption('other');
  await resolve.getByRole('button', { name: 'Resolve alert' }).click();
  await expectText(c.locator('#resolve-note-error'), /a note is needed/, 'note required with “Other”');
  await checkA11y(c, 'resolve dialog with an error');
  await resolve.getByLabel('What happened?').selectOption('safety_plan_reviewed');
  await resolve.getByLabel(/^Note/).fill('Called Ada; went through the safety plan together. Sam is with her tonight.');
  await resolve.getByRole('button', { name: 'Resolve alert' }).click();
  await resolve.waitFor({ state: 'hidden' });
  await expectText(c.locator('.alert-facts'), /Resolved[\s\S]*Safety plan reviewed with the client/, 'resolved with its outcome');
  await expectText(c.locator('.timeline'), /Resolved by Chidi Okafor/, 'resolution in the timeline');

  begin('crisis: the board’s resolved list, and caring contacts on the home page');
  await c.goto('/alerts?status=resolved');
  await expectText(c.locator('table.alert-board'), /Lovelace[\s\S]*Resolved/, 'resolved alert listed');
  await checkA11y(c, 'alert board (resolved)');
  await c.goto('/');
  const contacts = c.locator('table.follow-ups');
  await expectText(contacts, /Lovelace/, 'caring contacts after resolving');
  await checkA11y(c, 'home with caring contacts');
  await screenshot(c, '31-home-follow-ups');
  const before = await contacts.locator('tbody tr').count();
  await contacts.getByRole('button', { name: /^Done: / }).first().click();
  await c.getByRole('dialog', { name: /^Follow-up for/ }).getByLabel('What happened?').selectOption('reached');
  await c.getByRole('button', { name: 'Record follow-up' }).click();
  await expectText(c.locator('#follow-ups-heading').locator('..').locator('.notice'), /recorded/, 'follow-up recorded');
  const until = Date.now() + 10_000;
  while ((await contacts.locator('tbody tr').count()) >= before && before > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (before > 0 && (await contacts.count()) && (await contacts.locator('tbody tr').count()) >= before) fail('the follow-up done is still listed');
  await c.getByRole('button', { name: 'Sign out' }).click();

  begin('crisis: the chart’s “Raise a concern” opens an alert');
  await signIn(c, 'clin');
  await expectPath(c, /^\/$/, 'home');
  await c.goto(`/clients/${clientId}`);
  await c.getByRole('button', { name: 'Raise a concern' }).click();
  const concern = c.getByRole('dialog', { name: 'Raise a concern' });
  await concern.getByLabel('How urgent?').selectOption('moderate');
  await concern.getByLabel('What worries you?').fill('Missed two appointments and not answering the phone');
  await checkA11y(c, 'raise a concern');
  await concern.getByRole('button', { name: 'Raise the concern' }).click();
  await expectText(c.locator('.risk-banner'), /Moderate risk — alert open: Missed two appointments/, 'risk banner after raising a concern');
  await expectText(c.locator('.crisis-banner').getByRole('alert'), /Moderate risk: .*Lovelace/, 'the banner for the concern');

  begin('care: a referral on the chart goes to the waitlist, then intake; a date before the step before is refused on its field; the waiting times page counts it');
  const daysAgo = (n) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
  await c.goto(`/clients/${clientId}?tab=episodes`);
  await c.getByRole('button', { name: 'New referral' }).click();
  const referral = c.locator('form.new-referral');
  await referral.getByLabel(/^Program/).fill('Adult counselling');
  await referral.getByLabel(/^Referred by/).selectOption('primary care');
  await referral.getByLabel(/^Reason for referral/).fill('Low mood and poor sleep since the spring');
  await referral.getByLabel(/^Referral received on/).fill(daysAgo(30));
  await checkA11y(c, 'new referral');
  await referral.getByRole('button', { name: 'Add the referral' }).click();
  const episodeCard = c.getByRole('region', { name: /Adult counselling/ });
  await expectText(episodeCard, /Referred by primary care/, 'the referral listed');
  const moveForm = episodeCard.locator('form.move-episode');
  await moveForm.getByLabel(/^Next step/).selectOption('waitlist');
  await moveForm.getByLabel(/^On/).fill(daysAgo(25));
  await moveForm.getByRole('button', { name: 'Record the step' }).click();
  await expectText(episodeCard.locator('h3'), /On the waitlist/, 'on the waitlist');
  await moveForm.getByLabel(/^Next step/).selectOption('intake');
  await moveForm.getByLabel(/^On/).fill(daysAgo(28));
  await moveForm.getByRole('button', { name: 'Record the step' }).click();
  await expectText(moveForm, /must not be before the step before it/i, 'a date before the waitlist refused');
  if ((await moveForm.getByLabel(/^On/).getAttribute('aria-invalid')) !== 'true') fail('the step date is not marked aria-invalid');
  await checkA11y(c, 'episodes tab with an error');
  await moveForm.getByLabel(/^On/).fill(daysAgo(5));
  await moveForm.getByRole('button', { name: 'Record the step' }).click();
  await expectText(episodeCard.locator('h3'), /Intake/, 'at intake');
  await expectText(episodeCard.locator('.episode-steps'), /Referred[\s\S]*Waitlist[\s\S]*Intake/, 'the dated steps');
  await screenshot(c, '33-chart-episodes');
  await c.getByRole('link', { name: 'Waiting times' }).click();
  await expectPath(c, /^\/waits$/, 'waiting times page');
  await expectText(c.locator('table.waits'), /Adult counselling[\s\S]*25 days/, 'referral to intake, 25 days');
  await checkA11y(c, 'waiting times');

  begin('care: a follow-up call set on the chart is overdue on the home page, and is done with what happened');
  await c.goto(`/clients/${clientId}?tab=episodes`);
  const addTask = c.locator('form.add-task');
  await addTask.getByLabel(/^Kind/).selectOption('call');
  await addTask.getByLabel(/^Task/).fill('Call to check in after intake');
  await addTask.getByLabel(/^Due/).fill(daysAgo(1));
  await addTask.getByRole('button', { name: 'Add the task' }).click();
  await expectText(c.locator('table.tasks'), /Overdue[\s\S]*Call: Call to check in after intake/, 'the task on the chart, overdue');
  await c.goto('/');
  const myTasks = c.locator('#tasks-heading').locator('..');
  await expectText(myTasks.locator('table.tasks'), /Overdue[\s\S]*Lovelace[\s\S]*Call to check in after intake/, 'my tasks on the home page');
  await checkA11y(c, 'home with tasks');
  await myTasks.getByRole('button', { name: /^Done: Call to check in after intake/ }).click();
  await myTasks.getByLabel('What happened?').fill('Reached; doing well');
  await myTasks.getByRole('button', { name: 'Mark done' }).click();
  await expectText(myTasks, /Call for .*Lovelace done\./, 'task done');

  begin('care: an appointment booked on the chart; the same time again is refused naming the first; a no-show sets a follow-up call');
  await c.goto(`/clients/${clientId}?tab=sessions`);
  const booking = c.locator('form.book-appointment');
  await booking.getByLabel(/^Date/).fill(daysAgo(-2));
  await booking.getByLabel(/^Starts at/).fill('10:00');
  await booking.getByLabel(/^Room/).fill('Room 7');
  await booking.getByRole('button', { name: 'Book' }).click();
  await expectText(c.locator('table.appointments'), /Chidi Okafor[\s\S]*Room 7[\s\S]*Booked/, 'the appointment listed');
  await booking.getByRole('button', { name: 'Book' }).click();
  await expectText(booking, /already booked on \w{3} \d{1,2} \w{3} \d{4} \d\d:\d\d–\d\d:\d\d \w+ \(appointment ap_/, 'the clash named, with its date');
  await checkA11y(c, 'sessions with a clash');
  await screenshot(c, '34-chart-sessions');
  await c.getByRole('button', { name: /^Did not attend: / }).first().click();
  await expectText(c.locator('.sessions > .notice'), /did not attend — a follow-up call is on your tasks/, 'no-show recorded');
  await c.goto('/');
  await expectText(c.locator('table.tasks'), /Follow up the missed appointment/, 'the follow-up call on my tasks');

  begin('care: a weekly series booked on the chart; the client asks in the portal to move one; the clinician declines with a reason; the week on the calendar');
  await c.goto(`/clients/${clientId}?tab=sessions`);
  await booking.getByLabel(/^Date/).fill(daysAgo(-3));
  await booking.getByLabel(/^Starts at/).fill('14:00');
  await booking.getByLabel(/^Room/).fill('Room 7');
  await booking.getByLabel(/^Repeats/).selectOption('1');
  await booking.getByLabel(/^How many in all/).selectOption('4');
  await booking.getByRole('button', { name: 'Book the series' }).click();
  await expectText(c.locator('.sessions > .notice'), /Booked 4 appointments with Chidi Okafor/, 'the series booked');
  const seriesRows = c.locator('table.appointments tr', { hasText: 'series' });
  for (let i = 0; i < 50 && (await seriesRows.count()) !== 4; i++) await c.waitForTimeout(100);
  if ((await seriesRows.count()) !== 4) fail(`the chart lists ${await seriesRows.count()} appointments of the series, not 4`);
  await checkA11y(c, 'sessions with a series');
  const client = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, baseURL: base });
  const cp = await client.newPage();
  watch(cp, 'portal appointments');
  await cp.goto('/portal');
  await signIn(cp, 'client1');
  await expectPath(cp, /^\/portal$/, 'portal');
  const mine = cp.locator('.portal-appointments');
  await expectText(mine, /In person, Room 7[\s\S]*In person, Room 7/, 'the client sees the appointments to come');
  await mine.getByRole('button', { name: /^Ask to move/ }).first().click();
  await cp.getByLabel(/^Which days or times suit you better/).fill('Afternoons after four suit me better.');
  await cp.getByRole('button', { name: 'Send: please move it' }).click();
  await expectText(mine, /You asked to move this\. Your care team will be in touch\./, 'the request sent');
  await expectNoHorizontalScroll(cp, 'portal appointments at 390 px');
  await checkA11y(cp, 'portal appointments with a request');
  await screenshot(cp, '36-portal-appointments');
  await c.reload();
  await expectText(c.locator('.change-request'), /The client asks to move this\.[\s\S]*Afternoons after four/, 'the request on the chart');
  await c.getByRole('button', { name: /^Decline the request/ }).click();
  await c.getByLabel(/^Why not/).fill('Afternoons are full until January; we will call you.');
  await c.getByRole('button', { name: 'Send the answer' }).click();
  await expectText(c.locator('.sessions > .notice'), /request for .*: declined/, 'the request declined');
  await cp.reload();
  await expectText(cp.locator('#appointments').locator('..'), /Your care team replied: “Afternoons are full until January/, 'the client reads the answer');
  await client.close();
  await c.goto('/calendar');
  await expectText(c.getByRole('heading', { level: 1 }), /Calendar/, 'calendar page');
  if ((await c.locator('.calendar-item', { hasText: 'Lovelace' }).count()) === 0) await c.getByRole('button', { name: 'Next week' }).click();
  await expectText(c.locator('.calendar-week'), /Lovelace · in person, Room 7/, 'the week shows the appointments');
  await checkA11y(c, 'calendar');
  await screenshot(c, '37-calendar');
  await c.getByRole('button', { name: 'Sign out' }).click();
  await desk.close();

  begin('crisis: admin adds an on-call entry and a webhook');
  const adm = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const m = await adm.newPage();
  watch(m, 'crisis admin');
  await m.goto('/admin');
  await signIn(m, 'admin');
  await expectPath(m, /^\/admin$/, 'admin page');
  const roster = m.locator('form', { has: m.getByRole('heading', { name: 'Add to the roster' }) });
  await roster.getByLabel('Who').fill('okafor');
  await m.getByRole('button', { name: /^Chidi Okafor/ }).click();
  for (const day of ['Sat', 'Sun']) await roster.getByLabel(day, { exact: true }).check();
  await roster.getByLabel('Starts').fill('00:00');
  await roster.getByLabel('Ends', { exact: true }).fill('00:00');
  await roster.getByRole('button', { name: 'Add to the roster' }).click();
  await expectText(m.locator('table.roster'), /Chidi Okafor[\s\S]*On call[\s\S]*Mon, Tue, Wed, Thu, Fri, Sat, Sun 00:00–00:00/, 'roster entry listed');
  await expectText(m.locator('.on-call-now'), /On call: Chidi Okafor/, 'who is on call now');
  const webhook = m.locator('form', { has: m.getByRole('heading', { name: 'Add a webhook' }) });
  await webhook.getByLabel('Name', { exact: true }).fill('Pager gateway');
  // A cloud metadata address is refused when the webhook is added, on its field.
  await webhook.getByLabel('Address (URL)').fill('http://169.254.169.254/latest/meta-data');
  await webhook.getByRole('button', { name: 'Add webhook' }).click();
  await expectText(webhook, /cloud metadata/, 'metadata address refused on the URL field');
  if ((await webhook.getByLabel('Address (URL)').getAttribute('aria-invalid')) !== 'true') fail('the URL field is not marked aria-invalid');
  await webhook.getByLabel('Address (URL)').fill('http://127.0.0.1:9/page');
  await webhook.getByRole('button', { name: 'Add webhook' }).click();
  await expectText(m.locator('#new-webhook-secret'), /\S{16,}/, 'webhook secret shown once');
  await expectText(m.locator('table.webhooks'), /Pager gateway[\s\S]*127\.0\.0\.1/, 'webhook listed');
  if ((await m.locator('table.webhooks').textContent()).includes(await m.locator('#new-webhook-secret').textContent())) fail('the webhook list shows the secret');
  await checkA11y(m, 'admin roster and webhooks');
  await screenshot(m, '32-admin-crisis');
  await m.getByRole('button', { name: 'Test Pager gateway' }).click();
  await expectText(m.locator('#webhooks-heading').locator('..').locator('.notice').first(), /Pager gateway: (Not delivered|Delivered)/, 'webhook test answer');
  await m.getByRole('button', { name: 'Delete Pager gateway' }).click();
  await m.locator('table.webhooks').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => fail('the deleted webhook is still listed'));
  await m.getByRole('button', { name: /^Delete the roster entry of Chidi Okafor/ }).click();
  await m.locator('table.roster').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => fail('the deleted roster entry is still listed'));
  await adm.close();
  assertClean();
}

async function notes(base, clientId) {
  begin('notes: a SOAP note opens pre-filled with the latest PHQ-9, is saved, signed and locked; an edit is refused; an addendum is added');
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const c = await ctx.newPage();
  watch(c, 'notes clinician');
  await c.goto(`/clients/${clientId}?tab=sessions`);
  await signIn(c, 'clin');
  await expectText(c.locator('#notes-heading'), /Notes/, 'notes below the appointments');
  // The API as the signed-in page calls it (its session cookie and CSRF token).
  const asPage = (method, path, body) =>
    c.evaluate(
      async ({ method, path, body }) => {
        const r = await fetch(path, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': sessionStorage.getItem('tend.csrf') ?? '' }, body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: r.status, body: await r.text() };
      },
      { method, path, body },
    );
  const history = await asPage('GET', `/api/v1/clients/${clientId}/assessments?instrument=phq-9`);
  const latest = JSON.parse(history.body).items?.[0];
  if (!latest) fail(`no PHQ-9 result to pre-fill the note with: ${history.status} ${history.body}`);
  await c.getByRole('button', { name: 'Write a note' }).click();
  await c.getByLabel('Template').selectOption('soap');
  await c.getByRole('button', { name: 'Start note' }).click();
  const editor = c.locator('form.note-editor');
  const objective = editor.getByLabel(/^Objective/);
  await objective.waitFor({ timeout: 10_000 });
  const prefilled = await objective.inputValue();
  if (!new RegExp(`PHQ-9 ${latest.total} `).test(prefilled)) fail(`the Objective section is not pre-filled with the PHQ-9 of ${latest.total}: ${prefilled}`);
  if (!/crisis alerts/.test(await editor.getByLabel(/^Assessment/).inputValue())) fail('the Assessment section does not hold the risk status');
  await editor.getByLabel(/^Subjective/).fill('Reports sleeping better and walking the dog most days.');
  await editor.getByLabel('cooperative').check();
  await editor.getByLabel('euthymic').check();
  await editor.getByLabel(/^Plan/).fill('Continue behavioural activation; review in two weeks.');
  await checkA11y(c, 'note editor');
  await screenshot(c, '40-note-editor');
  await editor.getByRole('button', { name: 'Save draft' }).click();
  await expectText(editor.locator('.notice'), /Draft saved/, 'draft saved');
  await editor.getByRole('button', { name: 'Sign…' }).click();
  await expectText(editor.locator('.confirm'), /Once signed it is locked/, 'signing asks first');
  await editor.getByRole('button', { name: 'Sign note' }).click();
  await expectText(c.locator('.notes > .notice'), /Note signed and locked/, 'note signed');
  const signedNote = c.locator('article.note--signed').first();
  await expectText(signedNote.locator('.note-status'), /^Signed /, 'the note shows signed');
  await expectText(signedNote, /Mood: euthymic/, 'the examination shown');
  if (await signedNote.getByRole('button', { name: /Continue writing/ }).count()) fail('a signed note offers editing');
  if (await signedNote.locator('textarea').count()) fail('a signed note has editable text');
  const note = JSON.parse((await asPage('GET', `/api/v1/clients/${clientId}/notes`)).body).items.find((n) => n.status === 'signed');
  const edit = await asPage('PUT', `/api/v1/notes/${note.id}`, { version: note.version, sections: { plan: 'changed' } });
  if (edit.status !== 409 || !/signed and locked/.test(edit.body)) fail(`editing the signed note answered ${edit.status}: ${edit.body}`);
  await signedNote.getByRole('button', { name: /^Add addendum/ }).click();
  await signedNote.getByRole('textbox', { name: /^Addendum/ }).fill('Client rang after the session: GP appointment booked.');
  await signedNote.getByRole('button', { name: 'Save addendum' }).click();
  await expectText(c.locator('.notes > .notice'), /Addendum added/, 'addendum added');
  await expectText(c.locator('article.note--signed').first().locator('.addenda'), /GP appointment booked[\s\S]*Chidi Okafor/, 'the addendum with its author');
  await checkA11y(c, 'signed note with addendum');
  await screenshot(c, '41-note-signed');
  await ctx.close();
  assertClean();
}

// ---------------------------------------------------------------------------------------------
// Treatment plans: the clinician writes a plan with a PHQ-9 objective and sees its progress;
// the client reads it on a phone and agrees; the clinician sees it agreed; a change makes
// version 2, shown with what changed and "not yet agreed".

function isoDateIn(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

async function plans(base, clientId) {
  begin('plans: the clinician writes a plan with a PHQ-9 objective');
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const c = await desk.newPage();
  watch(c, 'plans clinician');
  await c.goto('/');
  await signIn(c, 'clin');
  await expectPath(c, /^\/$/, 'home');
  await c.goto(`/clients/${clientId}?tab=plan`);
  await c.getByRole('button', { name: 'Write a plan' }).click();
  await c.getByLabel('Problem 1', { exact: true }).fill('Moderate depressive episode');
  await c.getByLabel('Goal 1', { exact: true }).fill('Get back to work by the spring');
  await c.getByRole('button', { name: 'Add an objective' }).click();
  await c.getByLabel('Objective 1', { exact: true }).fill('My mood lifts');
  await c.getByLabel('By', { exact: true }).fill(isoDateIn(60));
  await c.getByLabel(/^Measure/).selectOption('phq-9');
  await c.getByLabel('Target score', { exact: true }).fill('10');
  await c.getByLabel('How often', { exact: true }).fill('weekly');
  await c.getByLabel('Review on', { exact: true }).fill(isoDateIn(28));
  await checkA11y(c, 'plan editor');
  await c.getByRole('button', { name: 'Save the plan' }).click();
  const card = c.getByRole('region', { name: /Treatment plan/ });
  await expectText(card.locator('.plan-agreement'), /Version 1 not yet agreed by the client/, 'a new plan is not agreed yet');
  await expectText(card.locator('.plan-objectives'), /My mood lifts — PHQ-9 below 10 by .*(Not yet|Met|Overdue)/, 'the objective with its progress');
  const progress = await card.locator('.plan-objectives .muted').textContent();
  if (!/\d/.test(progress ?? '')) fail(`the PHQ-9 objective shows no score from the results: ${progress}`);
  await checkA11y(c, 'plan tab');
  await screenshot(c, '40-chart-plan');

  begin('plans: the client reads the plan on a phone and agrees');
  const ph = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, baseURL: base });
  const q = await ph.newPage();
  watch(q, 'portal plan');
  await q.goto('/portal');
  await signIn(q, 'client1');
  await expectPath(q, /^\/portal$/, 'portal');
  await q.getByRole('link', { name: 'My plan', exact: true }).click();
  await expectPath(q, /^\/portal\/plan$/, 'my plan');
  await expectText(q.locator('.portal-plan'), /Get back to work by the spring/, 'the goal in the client’s words');
  await expectText(q.locator('.portal-plan'), /Talking sessions that look at how thoughts/, 'CBT in plain words');
  await checkA11y(q, 'portal plan');
  await expectBigTargets(q, 'portal plan');
  await expectNoHorizontalScroll(q, 'portal plan at 390 px');
  await screenshot(q, '41-portal-plan-390');
  await q.getByRole('button', { name: 'I agree with my plan' }).tap();
  await expectText(q.locator('.portal-plan').getByRole('status'), /You agreed to this plan on/, 'agreed');

  begin('plans: the clinician sees it agreed; a change makes version 2, not yet agreed, with a diff');
  await c.reload();
  await expectText(card.locator('.plan-agreement'), /^Agreed to version 1 on [^;]+$/, 'agreed to version 1');
  await c.getByRole('button', { name: 'Change the plan' }).click();
  await c.getByRole('button', { name: 'Add a goal' }).click();
  await c.getByLabel('Goal 2', { exact: true }).fill('See my friends every week');
  await c.getByRole('button', { name: 'Save as a new version' }).click();
  await expectText(card.locator('.plan-agreement'), /Agreed to version 1 on .*; version 2 not yet agreed/, 'version 2 not yet agreed');
  await card.locator('.plan-history summary').click();
  const diff = c.getByLabel('Changes from version 1 to 2');
  await expectText(diff, /Goals.*Added: See my friends every week/s, 'the diff names the new goal');
  await checkA11y(c, 'plan history with a diff');
  await screenshot(c, '42-chart-plan-v2');

  begin('plans: the portal asks the client to agree again');
  await q.goto('/portal/plan');
  await expectText(q.locator('.portal-plan'), /Your plan has changed since you last agreed to it/, 'agree again');
  await expectText(q.locator('.portal-plan'), /See my friends every week/, 'the new goal in the portal');
  await ph.close();
  await desk.close();
  assertClean();
}

// ---------------------------------------------------------------------------------------------
// Psychoeducation: the clinician gives an article from the library with a note; the client
// reads it on a phone, marks it read and says how useful it was; the chart shows it read.

async function education(base, clientId) {
  begin('education: the clinician gives “Worry time” with a note');
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const c = await desk.newPage();
  watch(c, 'education clinician');
  await c.goto('/');
  await signIn(c, 'clin');
  await expectPath(c, /^\/$/, 'home');
  await c.goto(`/clients/${clientId}?tab=plan`);
  const section = c.getByRole('region', { name: 'Education' });
  await section.getByLabel('Search the library').fill('worry');
  await section.getByRole('button', { name: 'Search', exact: true }).click();
  await section.getByRole('button', { name: 'Give Worry time', exact: true }).click();
  await section.getByLabel(/A note to the client/).fill('Try it after dinner this week');
  await checkA11y(c, 'giving an article');
  await section.getByRole('button', { name: 'Give to the client: Worry time' }).click();
  await expectText(section.getByRole('list', { name: 'Articles given' }), /Worry time · Not read yet/, 'given, not read yet');
  await screenshot(c, '60-chart-education');

  begin('education: the client reads it on a phone, marks it read and rates it');
  const ph = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, baseURL: base });
  const q = await ph.newPage();
  watch(q, 'portal reading');
  await q.goto('/portal');
  await signIn(q, 'client1');
  await expectPath(q, /^\/portal$/, 'portal');
  const card = q.getByRole('region', { name: 'Reading for you' });
  await expectText(card, /Try it after dinner this week/, 'the note on the card');
  await card.getByRole('link', { name: 'Worry time' }).tap();
  await expectPath(q, /^\/portal\/reading\/worry-time$/, 'the article page');
  await q.getByRole('heading', { name: 'Worry time', level: 1 }).waitFor();
  await expectText(q.locator('article.reading'), /Worry is a normal part of life/, 'the article’s text');
  await checkA11y(q, 'portal article');
  await expectBigTargets(q, 'portal article');
  await expectNoHorizontalScroll(q, 'portal article at 390 px');
  await screenshot(q, '61-portal-reading-390');
  await q.getByRole('button', { name: 'Mark as read' }).tap();
  await q.getByRole('radio', { name: '4 · Useful' }).check();
  await expectText(q.getByText(/Your care team will see how useful you found it/), /thank you/i, 'rated');
  await checkA11y(q, 'portal article, read and rated');

  begin('education: the clinician sees it read and rated');
  await c.reload();
  await expectText(c.getByRole('region', { name: 'Education' }).getByRole('list', { name: 'Articles given' }), /Worry time · Read .* useful 4 of 5/, 'read and rated on the chart');
  await ph.close();
  await desk.close();
  assertClean();
}

// ---------------------------------------------------------------------------------------------
// The client's own record: on a phone the client sees who has seen it (the clinician, from
// earlier in this run), downloads the readable page and asks for a correction; the clinician
// refuses it with a reason from the home page and the chart; the client reads the reason.

async function myRecord(base, clientId) {
  begin('my record: the client sees who has seen it, downloads it and asks for a correction');
  const ph = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, baseURL: base, acceptDownloads: true });
  const q = await ph.newPage();
  watch(q, 'portal record');
  await q.goto('/portal');
  await signIn(q, 'client1');
  await expectPath(q, /^\/portal$/, 'portal');
  await q.getByRole('region', { name: 'My record' }).getByRole('link', { name: 'My record' }).tap();
  await expectPath(q, /^\/portal\/record$/, 'the My record page');
  const seen = q.getByRole('region', { name: 'Who has seen my record' });
  await expectText(seen, /Chidi Okafor \(clinician, your care team\) looked at your/, 'the clinician in plain words');
  const seenText = (await seen.textContent()) ?? '';
  if (/\bAda\b \(client/.test(seenText)) fail('the client’s own visits are listed');
  await checkA11y(q, 'portal my record');
  await expectBigTargets(q, 'portal my record');
  await expectNoHorizontalScroll(q, 'portal my record at 390 px');
  await screenshot(q, '70-portal-record-390');
  const [download] = await Promise.all([q.waitForEvent('download'), q.getByRole('link', { name: 'Readable page' }).tap()]);
  if (download.suggestedFilename() !== 'my-record.html') fail(`the download is named ${download.suggestedFilename()}`);
  const file = await download.path();
  const page = readFileSync(file, 'utf8');
  if (!/Record of Ada Lovelace/.test(page)) fail('the downloaded page does not name the client');
  if (/<script/i.test(page)) fail('the downloaded page has a script');
  if (!/@media print/.test(page)) fail('the downloaded page has no print stylesheet');
  await q.getByLabel(/Which part of your record/).fill('my preferred language');
  await q.getByLabel(/What should it say instead/).fill('English and Welsh, please');
  await q.getByRole('button', { name: 'Send my request' }).tap();
  await expectText(q.getByRole('status'), /Sent/, 'request sent');
  await expectText(q.locator('.amendments'), /Waiting for an answer from your care team/, 'waiting for an answer');

  begin('my record: the clinician refuses the correction with a reason');
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const c = await desk.newPage();
  watch(c, 'amendment clinician');
  await c.goto('/');
  await signIn(c, 'clin');
  await expectPath(c, /^\/$/, 'home');
  const open = c.getByRole('region', { name: 'Correction requests' });
  await open.getByRole('link', { name: /Ada Lovelace asks to correct: my preferred language/ }).click();
  await expectPath(c, new RegExp(`^/clients/${clientId}\\?tab=access-log`), 'the chart’s access log tab');
  const requests = c.getByRole('region', { name: 'Correction requests' });
  await expectText(requests, /English and Welsh, please/, 'the request in the chart');
  await requests.getByRole('button', { name: 'Refuse' }).click();
  await expectText(requests, /at least 10 characters/, 'a reason is needed');
  await requests.getByLabel(/Your answer to the client/).fill('We keep one preferred language; tell us at your next session which one.');
  await checkA11y(c, 'chart correction requests');
  await requests.getByRole('button', { name: 'Refuse' }).click();
  await expectText(requests, /Refused by Chidi Okafor/, 'refused on the chart');
  await screenshot(c, '71-chart-amendments');

  begin('my record: the client reads the answer');
  await q.reload();
  await expectText(q.locator('.amendments'), /Not changed by Chidi Okafor .*We keep one preferred language/, 'the reason in the portal');
  await checkA11y(q, 'portal my record with an answer');
  await ph.close();
  await desk.close();
  assertClean();
}

// ---------------------------------------------------------------------------------------------
// Suggested reading: the client's depression diagnosis (from earlier in this run) suggests
// articles on the chart, each with its reason; one tap gives one.

async function suggestedReading(base, clientId) {
  begin('education: the chart suggests reading from the diagnosis, and one tap gives it');
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const c = await ctx.newPage();
  watch(c, 'suggested reading');
  await c.goto(`/clients/${clientId}?tab=plan`);
  await signIn(c, 'clin');
  const section = c.getByRole('region', { name: 'Education' });
  const list = section.getByRole('list', { name: 'Suggested for this client' });
  await expectText(list, /Because of diagnosis F32[.0-9A-Z]* \(depression\)/, 'a suggestion with its reason');
  await checkA11y(c, 'suggested reading');
  await screenshot(c, '72-chart-suggested-reading');
  const first = list.locator('li').first();
  const title = ((await first.locator('strong').textContent()) ?? '').trim();
  if (!title) fail('a suggestion has no title');
  await first.getByRole('button', { name: `Give now: ${title}` }).click();
  await expectText(section.getByRole('status'), new RegExp(`Gave “${title}”`), 'given from the suggestions');
  await expectText(section.getByRole('list', { name: 'Articles given' }), new RegExp(`${title} · Not read yet`), 'in the articles given');
  await ctx.close();
  assertClean();
}

let failed = false;
// ---------------------------------------------------------------------------------------------
// Group notes: one session written once on a phone, a draft on each member's chart holding the
// shared text and that member's own part, never another member.

async function groupNotes(base, clientId) {
  begin("group notes: written once for two clients; a member's chart shows the shared text and their own part, not the other member");
  const asClin = await apiSession(base, 'clin');
  const other = await asClin('POST', '/api/v1/clients', { given_name: 'Grace', family_name: 'Hopper', date_of_birth: '1986-12-09' });
  const ctx = await browser.newContext({ viewport: { width: 360, height: 780 }, baseURL: base });
  const c = await ctx.newPage();
  watch(c, 'group note clinician');
  await c.goto(`/clients/${clientId}?tab=sessions`);
  await signIn(c, 'clin');
  await c.getByRole('link', { name: 'Write a group note' }).click();
  await expectPath(c, /^\/group-notes\/new\?with=/, 'the group note page from the chart');
  await expectText(c.locator('.group-member-list'), /Ada Lovelace/, 'the chart’s client starts the group');
  await c.getByLabel('Find a client by name').fill('Grace');
  await c.getByRole('button', { name: 'Search' }).click();
  await c.getByRole('button', { name: 'Add Grace Hopper' }).click();
  await expectText(c.locator('.group-member-list'), /Ada Lovelace[\s\S]*Grace Hopper/, 'both members chosen');
  const shared = 'The group practised paced breathing and shared one thing that helped this week.';
  await c.getByLabel('Template').selectOption('soap');
  await c.getByLabel(/^Subjective/).fill(shared);
  await c.getByLabel('cooperative').check();
  await c.getByLabel(/^Ada Lovelace’s own part/).fill('Led the breathing exercise with confidence.');
  await c.getByLabel(/^Grace Hopper’s own part/).fill('Spoke about a difficult week at work.');
  await checkA11y(c, 'group note');
  await expectNoHorizontalScroll(c, 'group note at 360 px');
  await screenshot(c, '45-group-note-360');
  await c.getByRole('button', { name: 'Save drafts to each chart' }).click();
  await expectText(c.getByRole('heading', { name: /Drafts saved/ }), /Drafts saved to 2 charts/, 'drafts filed');
  const links = c.locator('.group-filed a');
  if ((await links.count()) !== 2) fail(`expected a link to each of 2 charts, found ${await links.count()}`);
  if ((await c.getByRole('link', { name: /^Grace Hopper/ }).getAttribute('href')) !== `/clients/${other.id}?tab=sessions`) fail('the link to the second member’s chart is wrong');
  await checkA11y(c, 'group note filed');
  await c.getByRole('link', { name: /^Ada Lovelace/ }).click();
  await expectPath(c, new RegExp(`^/clients/${clientId}\\?tab=sessions`), 'the first member’s notes');
  const draft = c.locator('article.note--draft', { hasText: 'Group session' }).first();
  await expectText(draft, new RegExp(`${shared}[\\s\\S]*Led the breathing exercise`), 'the shared text and this member’s own part');
  const notesText = (await c.locator('section.notes').textContent()) ?? '';
  if (/Grace|Hopper|difficult week at work/.test(notesText)) fail('a member’s chart shows another member of the group');
  await expectNoHorizontalScroll(c, 'chart notes at 360 px');
  await screenshot(c, '46-group-note-on-chart-360');
  await ctx.close();
  assertClean();
}

/** The admin sets a clinician's supervisor from the account list, sees it there, and removes it. */
async function supervisors(base) {
  begin('admin: set a clinician’s supervisor on the account list, then remove it');
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const a = await ctx.newPage();
  watch(a, 'supervisors admin');
  await a.goto('/admin');
  await signIn(a, 'admin');
  const row = a.locator('tr', { has: a.getByRole('cell', { name: 'clin', exact: true }) });
  await row.getByRole('button', { name: 'Set supervisor of clin' }).click();
  await a.getByLabel('Supervisor', { exact: true }).fill('Dana');
  await a.getByRole('button', { name: 'Dana Reyes (clin2, Clinician)' }).click();
  await checkA11y(a, 'supervisor setting');
  await a.getByRole('button', { name: 'Save supervisor' }).click();
  await expectText(a.locator('.notice'), /Dana Reyes now supervises Chidi Okafor/, 'supervisor set');
  await expectText(row, /Dana Reyes/, 'the supervisor on the account list');
  await row.getByRole('button', { name: 'Change supervisor of clin' }).click();
  await a.getByRole('button', { name: 'Remove supervisor' }).click();
  await expectText(a.locator('.notice'), /has no supervisor now/, 'supervisor removed');
  await expectText(row, /None/, 'no supervisor on the account list');
  await ctx.close();
  assertClean();
}

// ---------------------------------------------------------------------------------------------
// Portal invitation: the clinician shows a code on the chart; the client types it on a phone,
// chooses a username and password, agrees to the terms, picks a check-in reminder time, skips
// the authenticator app, and lands in the portal. Returns the new client, their username and the
// phone page still signed in (a later step continues from there; the caller closes `context`).

async function invitation(base) {
  begin('invitation: the clinician creates a code on the chart');
  const asClin = await apiSession(base, 'clin');
  const newcomer = await asClin('POST', '/api/v1/clients', { given_name: 'Noor', family_name: 'Haddad', date_of_birth: '1994-04-21' });
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const c = await desk.newPage();
  watch(c, 'invitation clinician');
  await c.goto(`/clients/${newcomer.id}`);
  await signIn(c, 'clin');
  const access = c.getByRole('region', { name: 'Portal access' });
  await expectText(access, /No portal invitations yet/, 'no invitation yet');
  await access.getByLabel(/Show a code on this screen/).check();
  await access.getByRole('button', { name: 'Create a code' }).click();
  const shown = ((await access.locator('#invite-code').textContent()) ?? '').trim();
  if (!/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/.test(shown)) fail(`the code on screen is not a code: "${shown}"`);
  await expectText(access.getByRole('table'), /The client[\s\S]*Open until/, 'the pending invitation listed');
  await checkA11y(c, 'portal access with a code');
  await screenshot(c, '70-chart-portal-access');
  await desk.close();

  begin('invitation: the client joins on a 390 px phone');
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, baseURL: base });
  const page = await context.newPage();
  watch(page, 'join');
  await page.goto('/join');
  await expectText(page.getByRole('heading', { level: 1 }), /Join the portal/, 'join heading');
  await checkA11y(page, 'join: the code');
  await expectNoHorizontalScroll(page, 'join at 390 px');
  await page.getByLabel('Invitation code').fill(shown.toLowerCase().replace('-', ''));
  await page.getByRole('button', { name: 'Continue' }).tap();
  await expectText(page.getByRole('heading', { level: 1 }), /portal account/, 'account step');
  await expectText(page.getByRole('region', { name: 'Using the client portal' }), /not watched all the time/i, 'the terms to read');
  const username = 'noor';
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('short');
  await page.getByLabel('I have read and agree to the portal terms').check();
  await page.getByRole('button', { name: 'Create my account' }).tap();
  await expectText(page.locator('#join-password-error'), /12 characters/, 'the password rule on its field');
  await page.getByLabel('Password').fill(password);
  await checkA11y(page, 'join: the account');
  await expectBigTargets(page, 'join: the account');
  await expectNoHorizontalScroll(page, 'join account at 390 px');
  await screenshot(page, '71-join-account-390');
  await page.getByRole('button', { name: 'Create my account' }).tap();
  await expectText(page.getByRole('heading', { level: 1 }), /Your account is ready/, 'signed in');
  await checkA11y(page, 'join: two-step sign-in offered');
  await page.getByRole('button', { name: 'Skip for now' }).tap();
  await expectText(page.getByRole('heading', { level: 1 }), /Reminders/, 'reminder step');
  await page.getByLabel('Remind me every day').check();
  await page.getByLabel('Time of the reminder').fill('20:15');
  await checkA11y(page, 'join: reminders');
  await expectBigTargets(page, 'join: reminders');
  await screenshot(page, '72-join-reminders-390');
  await page.getByRole('button', { name: 'Save and open my portal' }).tap();
  await expectPath(page, /^\/portal$/, 'the portal home after joining');
  await page.getByRole('heading', { level: 1 }).waitFor();
  await checkA11y(page, 'portal home after joining');
  await expectNoHorizontalScroll(page, 'portal home after joining');
  const prefs = await page.evaluate(async () => (await fetch('/api/v1/me/preferences')).json());
  if (prefs.check_in_reminder !== '20:15') fail(`the reminder time was not kept: ${JSON.stringify(prefs)}`);

  begin('invitation: the code was used; the chart says so');
  const listed = await asClin('GET', `/api/v1/clients/${newcomer.id}/invitations`);
  if (listed.items[0]?.state !== 'used') fail(`the invitation is not marked used: ${JSON.stringify(listed.items[0])}`);
  return { clientId: newcomer.id, username, context, page };
}

// From the invitation to the chart: the client who has just joined on their phone makes their
// first check-in from the portal home, and their clinician sees it on the chart.
async function firstCheckIn(base, { clientId, page }) {
  begin('invitation → first check-in: the newcomer checks in from the portal home on the phone');
  await page.getByRole('link', { name: 'Check in', exact: true }).tap();
  await expectPath(page, /^\/portal\/check-in$/, 'the check-in page');
  await page.getByRole('group', { name: 'How is your mood?' }).waitFor();
  await page.getByRole('radio', { name: '6 Fairly good' }).check();
  await page.getByRole('button', { name: 'Save' }).tap();
  await expectText(page.getByRole('heading', { level: 2 }), /Your check-in for today is saved/, 'the first check-in saved');
  await page.getByRole('link', { name: 'My diary' }).tap();
  await expectText(page.locator('.streak'), /You checked in on 1 of the last 7 days\./, 'the first day in the diary');
  await checkA11y(page, 'the newcomer’s diary');

  begin('invitation → first check-in: the clinician sees it on the newcomer’s chart');
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const c = await desk.newPage();
  watch(c, 'newcomer chart');
  await c.goto(`/clients/${clientId}?tab=check-ins`);
  await signIn(c, 'clin');
  await expectText(c.locator('table.checkins-table'), /6/, 'the first check-in on the chart');
  const rows = await c.locator('table.checkins-table tbody tr').count();
  if (rows !== 1) fail(`the newcomer's chart lists ${rows} check-ins, expected 1`);
  await desk.close();
}

const started = Date.now();
try {
  await main();
} catch (e) {
  failed = true;
  process.stderr.write(`\nE2E FAILED at step "${step}":\n${e instanceof Failure ? e.message : e?.stack ?? e}\n`);
} finally {
  await browser?.close().catch(() => {});
  await stopServer().catch(() => {});
  if ((failed || process.env.E2E_DEBUG) && serverStarted && existsSync(serverLogPath)) {
    const lines = readFileSync(serverLogPath, 'utf8').trim().split('\n');
    process.stderr.write(`\nlast lines of ${serverLogPath}:\n${lines.slice(-30).join('\n')}\n`);
  }
  rmSync(dataDir, { recursive: true, force: true });
}
if (failed) process.exit(1);
process.stdout.write(`\ne2e passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${resultsDir}\n`);

// ---------------------------------------------------------------------------------------------
// Daily check-ins: the first check-in on a phone and the diary; a check-in made with no signal
// (the portal opened from the phone by its service worker) kept on the phone and stored exactly
// once when the connection returns; the clinician's chart with the check-ins on the measures'
// time axis, strong urges marked and only shared notes shown.

function localDate(daysAgo = 0) {
  const d = new Date(Date.now() - daysAgo * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** A client's API session that also shows the answer's headers (for Idempotent-Replayed). */
async function rawSession(base, username) {
  const r = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (r.status !== 201) fail(`API sign-in as ${username} answered ${r.status}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf_token } = await r.json();
  return (method, path, body, headers = {}) =>
    fetch(`${base}${path}`, { method, headers: { Cookie: cookie, 'X-CSRF-Token': csrf_token, 'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function checkIns(base, clientId) {
  begin('check-ins: the first check-in on a phone (390×844), then seen in the diary');
  const today = localDate(0);
  const yesterday = localDate(1);
  const ph = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, baseURL: base });
  const q = await ph.newPage();
  watch(q, 'portal check-in');
  await q.goto('/portal');
  await signIn(q, 'client1');
  await expectPath(q, /^\/portal$/, 'portal');
  await q.getByRole('link', { name: 'Check in', exact: true }).tap();
  await expectPath(q, /^\/portal\/check-in$/, 'the check-in page');
  await q.getByRole('group', { name: 'How is your mood?' }).waitFor();
  await q.getByRole('checkbox', { name: 'Exercise', exact: true }).waitFor();
  await checkA11y(q, 'portal check-in');
  await expectBigTargets(q, 'portal check-in');
  await expectNoHorizontalScroll(q, 'portal check-in at 390 px');
  await screenshot(q, '70-check-in-390');
  await q.getByRole('radio', { name: '7 Good' }).check();
  await q.getByRole('group', { name: 'Anxiety' }).getByRole('radio', { name: '3', exact: true }).check();
  await q.getByRole('radio', { name: '0 None' }).check();
  await q.getByRole('checkbox', { name: 'Exercise', exact: true }).check();
  await q.getByLabel(/A short note/).fill('Walked by the river with Sam');
  if (await q.getByRole('checkbox', { name: 'Share this note with my care team' }).isChecked()) fail('sharing the note is on by default');
  await q.getByRole('checkbox', { name: 'Share this note with my care team' }).check();
  await q.getByRole('button', { name: 'Save' }).tap();
  await expectText(q.getByRole('heading', { level: 2 }), /Your check-in for today is saved/, 'saved');
  await checkA11y(q, 'portal check-in saved');
  await q.getByRole('link', { name: 'My diary' }).tap();
  await expectPath(q, /^\/portal\/diary$/, 'the diary');
  await expectText(q.locator('.streak'), /You checked in on 1 of the last 7 days\./, 'counted without guilt');
  await expectText(q.locator('.diary-entries'), /Mood 7 · Good[\s\S]*Walked by the river with Sam/, 'the entry in the diary');
  await q.getByRole('img', { name: /^Mood, week/ }).waitFor();
  if ((await q.getByRole('link', { name: 'Download my diary (CSV)' }).getAttribute('href')) !== '/api/v1/me/check-ins.csv') fail('the CSV link is wrong');
  await checkA11y(q, 'portal diary');
  await expectBigTargets(q, 'portal diary');
  await expectNoHorizontalScroll(q, 'portal diary at 390 px');
  await screenshot(q, '71-diary-390');

  begin('check-ins: with no signal the check-in page opens from the phone; the check-in is kept there');
  await q.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await ph.setOffline(true);
  await q.goto('/portal/check-in');
  await q.getByRole('group', { name: 'How is your mood?' }).waitFor();
  await q.getByLabel('Which day?').selectOption(yesterday);
  await q.getByRole('radio', { name: '4 A bit low' }).check();
  await q.getByRole('button', { name: 'Save' }).tap();
  await expectText(q.locator('.kept-status'), /Saved on this phone — it will be sent when you are back online\./, 'saved on this phone');
  await checkA11y(q, 'portal check-in kept offline');
  await screenshot(q, '72-check-in-offline-390');
  const kept = await q.evaluate(() => JSON.parse(localStorage.getItem('tend.check-in-queue') ?? '{"items":[]}').items);
  if (kept.length !== 1 || kept[0].body.date !== yesterday || !kept[0].key) fail(`the phone keeps ${JSON.stringify(kept)}`);
  const asClient = await rawSession(base, 'client1');
  const before = await (await asClient('GET', `/api/v1/me/check-ins?from=${yesterday}&to=${yesterday}`)).json();
  if (before.items.length !== 0) fail('the offline check-in reached the server while offline');

  begin('check-ins: back online, the kept check-in is sent once, with the key made when Save was pressed');
  await ph.setOffline(false);
  let left = kept;
  for (const until = Date.now() + 15_000; Date.now() < until && left.length; await new Promise((r) => setTimeout(r, 200))) {
    left = await q.evaluate(() => JSON.parse(localStorage.getItem('tend.check-in-queue') ?? '{"items":[]}').items);
  }
  if (left.length) fail(`the queue still holds ${JSON.stringify(left)} after the connection returned`);
  const after = await (await asClient('GET', `/api/v1/me/check-ins?from=${yesterday}&to=${yesterday}`)).json();
  if (after.items.length !== 1 || after.items[0].mood !== 4) fail(`expected one check-in for ${yesterday} with mood 4, found ${JSON.stringify(after.items)}`);
  // the same key again is a replay of that one check-in, not a second
  const replay = await asClient('POST', '/api/v1/me/check-ins', kept[0].body, { 'Idempotency-Key': kept[0].key });
  if (replay.status !== 200 || replay.headers.get('idempotent-replayed') !== 'true') fail(`a repeat of the kept key answered ${replay.status} without Idempotent-Replayed`);
  if ((await replay.json()).id !== after.items[0].id) fail('the replay names another check-in');
  const again = await (await asClient('GET', `/api/v1/me/check-ins?from=${yesterday}&to=${yesterday}`)).json();
  if (again.items.length !== 1) fail(`${again.items.length} check-ins stored for ${yesterday}`);
  await q.goto('/portal/diary');
  await expectText(q.locator('.streak'), /You checked in on 2 of the last 7 days\./, 'both days in the diary');

  begin('check-ins: the signal drops inside the open portal; yesterday changed, kept, then replaces it once');
  await ph.setOffline(true);
  await q.getByRole('link', { name: 'Check in now' }).tap();
  await expectPath(q, /^\/portal\/check-in$/, 'the check-in page, offline');
  await q.getByLabel('Which day?').selectOption(yesterday);
  await q.getByRole('radio', { name: '5 Okay' }).check();
  await q.getByRole('button', { name: 'Save' }).tap();
  await expectText(q.locator('.kept-status'), /Saved on this phone — it will be sent when you are back online\./, 'kept in the open portal');
  await ph.setOffline(false);
  await expectText(q.locator('.kept-status'), /has now been sent to Tend/, 'sent when the signal returned');
  const replaced = await (await asClient('GET', `/api/v1/me/check-ins?from=${yesterday}&to=${yesterday}`)).json();
  if (replaced.items.length !== 1 || replaced.items[0].mood !== 5) fail(`expected yesterday's one check-in replaced with mood 5, found ${JSON.stringify(replaced.items)}`);
  await ph.close();

  begin('check-ins: the clinician sees them on the measures’ time axis, strong urges marked, only shared notes');
  const threeDaysAgo = localDate(3);
  const hard = await asClient('POST', '/api/v1/me/check-ins', { date: localDate(2), mood: 2, self_harm_urge: 4, note: 'A hard evening; I called my sister', share_note: true }, { 'Idempotency-Key': randomUUID() });
  if (hard.status !== 201) fail(`a check-in with strong urges answered ${hard.status}`);
  if ((await hard.json()).alert_raised !== true) fail('strong urges did not tell the care team');
  const quiet = await asClient('POST', '/api/v1/me/check-ins', { date: threeDaysAgo, mood: 5, note: 'Private words for me alone', share_note: false }, { 'Idempotency-Key': randomUUID() });
  if (quiet.status !== 201) fail(`a check-in answered ${quiet.status}`);
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const c = await desk.newPage();
  watch(c, 'chart check-ins');
  await c.goto(`/clients/${clientId}?tab=measures`);
  await signIn(c, 'clin');
  const section = c.getByRole('region', { name: 'Daily check-ins' });
  const graph = section.getByRole('img', { name: /mood and urges/ });
  await graph.waitFor({ timeout: 10_000 });
  const dots = await graph.locator('.point').count();
  if (dots !== 4) fail(`the check-in graph shows ${dots} days, expected 4`);
  if ((await graph.locator('.urge--strong').count()) !== 1) fail('the strong urge is not marked on the graph');
  await expectText(section.locator('table'), /Strong urge/, 'the strong urge in the table');
  await expectText(section.locator('table'), /A hard evening; I called my sister/, 'the shared note');
  if ((await c.locator('main').textContent()).includes('Private words for me alone')) fail('an unshared note is shown to staff');
  // the same time axis: the check-in graph and the measure graphs are drawn in the same frame
  const widths = await c.evaluate(() => [...document.querySelectorAll('.checkin-chart > svg, .measure-chart > svg')].map((s) => s.getAttribute('width')));
  if (widths.length < 2 || new Set(widths).size !== 1) fail(`the check-in and measure graphs differ in width: ${widths}`);
  await checkA11y(c, 'measures with check-ins');
  await screenshot(c, '73-chart-measures-check-ins');
  await c.goto(`/clients/${clientId}?tab=check-ins`);
  await expectText(c.locator('table.checkins-table'), new RegExp(`Walked by the river with Sam`), 'the check-ins tab lists them');
  if ((await c.locator('table.checkins-table tbody tr').count()) !== 4) fail('the check-ins tab does not list the 4 check-ins');
  await checkA11y(c, 'chart check-ins tab');
  await screenshot(c, '74-chart-check-ins');
  await desk.close();
  assertClean();
}

// Secure messages: on a 390 px phone the client writes while the office is closed and sees the
// automatic reply with the crisis lines and "I need help now"; the clinician finds it in the
// inbox and replies; the client sees their message read and the reply, live.

async function messaging(base) {
  begin('messages: the client writes on a phone while the office is closed');
  const ph = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, baseURL: base });
  const q = await ph.newPage();
  watch(q, 'portal messages');
  await q.goto('/portal');
  await signIn(q, 'client1');
  await expectPath(q, /^\/portal$/, 'portal');
  await q.getByRole('region', { name: 'Messages' }).getByRole('link', { name: 'Open messages' }).tap();
  await expectPath(q, /^\/portal\/messages$/, 'the messages page');
  await expectText(q.getByRole('note', { name: 'Office hours' }), /The office is closed now/, 'closed, said on the list');
  await checkA11y(q, 'portal messages');
  await q.getByRole('link', { name: 'New message', exact: true }).tap();
  await expectPath(q, /^\/portal\/messages\/new$/, 'the new-message page');
  await expectText(q.getByRole('note', { name: 'Office hours' }), /Messages are not watched outside office hours/, 'the office-hours note before sending');
  await q.getByRole('button', { name: 'Send to my care team' }).tap();
  await expectText(q.locator('#message-subject-error'), /Write a subject/, 'an empty subject is refused');
  await q.getByLabel('Subject').fill('Sleep');
  await q.getByLabel('Your message').fill('I have not slept well since Monday.');
  await checkA11y(q, 'new message, closed');
  await expectBigTargets(q, 'new message');
  await expectNoHorizontalScroll(q, 'new message at 390 px');
  await q.getByRole('button', { name: 'Send to my care team' }).tap();
  await expectPath(q, /^\/portal\/messages\/thr_/, 'the conversation');
  const auto = q.locator('.message--auto');
  await expectText(auto, /will read it when it opens, on \w+day \d+ \w+ at 09:00/, 'the automatic reply says when');
  await expectText(auto, /Messages are not watched outside office hours/, 'and that messages are not watched');
  await expectText(auto.getByRole('region', { name: 'Talk to someone now' }), /Call \d+/, 'the crisis lines in the reply');
  await auto.getByRole('link', { name: 'I need help now' }).waitFor();
  await expectText(q.locator('.message--mine'), /Sent · not read yet/, 'not read yet');
  await checkA11y(q, 'conversation with the automatic reply');
  await expectNoHorizontalScroll(q, 'conversation at 390 px');
  await screenshot(q, '70-portal-message-auto-reply-390');

  begin('messages: the clinician finds it in the inbox and replies');
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
  const c = await desk.newPage();
  watch(c, 'inbox');
  await c.goto('/');
  await signIn(c, 'clin');
  await expectPath(c, /^\/$/, 'home');
  const inboxLink = c.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Inbox/ });
  await expectText(inboxLink, /Inbox\s*1/, 'one unread in the nav');
  await inboxLink.click();
  await expectPath(c, /^\/inbox$/, 'the inbox');
  const unread = c.getByRole('list', { name: 'Unread conversations' });
  await expectText(unread, /Ada Lovelace: Sleep[\s\S]*1 unread/, 'the client’s message, unread');
  await checkA11y(c, 'inbox');
  await unread.getByRole('link', { name: 'Ada Lovelace: Sleep' }).click();
  await expectPath(c, /^\/messages\/thr_/, 'the staff view of the conversation');
  await expectText(c.locator('.message--theirs'), /I have not slept well since Monday\./, 'the message');
  await expectText(c.locator('.message--auto'), /Automatic reply/, 'the automatic reply, marked');
  await c.getByLabel('Reply to the client').fill('Thank you for telling us. Let us look at it on Friday.');
  await c.getByRole('button', { name: 'Send reply' }).click();
  await expectText(c.getByRole('status').filter({ hasText: 'Sent.' }), /Sent\./, 'reply sent');
  await checkA11y(c, 'staff conversation');
  await screenshot(c, '71-staff-conversation');

  begin('messages: the client sees their message read and the reply, live');
  await expectText(q.locator('.message--mine'), /Read by your care team at/, 'read by the care team');
  await expectText(q.locator('.message--theirs'), /Let us look at it on Friday/, 'the reply');
  await checkA11y(q, 'conversation, read and answered');
  await screenshot(q, '72-portal-message-read-390');

  begin('messages: a staff-only conversation from the chart, marked, and not in the portal');
  await c.getByRole('link', { name: 'Ada Lovelace', exact: true }).click();
  await expectPath(c, /\?tab=messages$/, 'the chart’s Messages tab');
  await expectText(c.getByRole('list', { name: 'Conversations about this client' }), /Sleep/, 'the conversation on the chart');
  await c.getByLabel('Who can read it').selectOption('staff');
  await c.getByLabel('Subject', { exact: true }).fill('Sleep and the evening dose');
  await c.getByLabel('Message', { exact: true }).fill('Worth reviewing the timing of the evening dose.');
  await checkA11y(c, 'chart messages');
  await c.getByRole('button', { name: 'Send', exact: true }).click();
  await expectPath(c, /^\/messages\/thr_/, 'the staff-only conversation');
  await expectText(c.locator('.staff-only'), /Staff only — the client cannot see this/, 'marked staff only');
  await checkA11y(c, 'staff-only conversation');
  await q.getByRole('link', { name: 'Back to messages' }).tap();
  await expectText(q.getByRole('list', { name: 'Your conversations' }), /Sleep/, 'the client’s list');
  if (/evening dose/.test((await q.getByRole('list', { name: 'Your conversations' }).textContent()) ?? '')) fail('the client sees a staff-only conversation');
  await ph.close();
  await desk.close();
  assertClean();
}
