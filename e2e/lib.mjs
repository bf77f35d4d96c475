// Harness for the browser journeys: starts `sep demo` on free ports with a fresh data
// directory, drives Debian's Chromium through playwright-core (no browser downloads),
// checks every visited page with axe-core, and writes screenshots to e2e/artifacts/.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const artifacts = join(here, 'artifacts');
mkdirSync(artifacts, { recursive: true });

/** Pages checked with axe-core, printed at the end of the run. */
export const checkedPages = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The sep binary: SEP_BIN, else the workspace's debug build. */
export function sepBinary() {
  const target = process.env.CARGO_TARGET_DIR || join(here, '..', 'target');
  const bin = process.env.SEP_BIN || join(target, 'debug', 'sep');
  if (!existsSync(bin)) throw new Error(`sep binary not found at ${bin}: build it with cargo build -p sep`);
  return bin;
}

/** Starts `sep demo` (with extra `SEP_*` settings in `env`); resolves once it has printed its banner.
 *  `again` (a previous demo) restarts on its data directory and ports. */
export async function startDemo(env = {}, again = null) {
  const [portalPort, idpPort, payPort] = again ? again.ports : [await freePort(), await freePort(), await freePort()];
  const dataDir = again ? again.dataDir : mkdtempSync(join(tmpdir(), 'sep-e2e-'));
  const child = spawn(sepBinary(), ['demo', '--data-dir', dataDir, '--portal-addr', `127.0.0.1:${portalPort}`, '--idp-addr', `127.0.0.1:${idpPort}`, '--pay-addr', `127.0.0.1:${payPort}`], {
    env: { ...process.env, SEP_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await banner(child, 'Остановить', 'sep demo');
  return {
    dataDir,
    ports: [portalPort, idpPort, payPort],
    portal: `http://127.0.0.1:${portalPort}`,
    idp: `http://127.0.0.1:${idpPort}`,
    pay: env.SEP_PAY_URL || `http://127.0.0.1:${payPort}`,
    stop: () => ended(child, 'SIGTERM'),
    /** kill -9: no shutdown, nothing flushed that was not already. */
    crash: () => ended(child, 'SIGKILL'),
  };
}

/** Sends `signal` to `child` and resolves once it has exited (at once if it had). */
function ended(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  return exited;
}

/** Resolves once `child` has printed `marker` on its standard output or standard error. */
function banner(child, marker, name) {
  return new Promise((resolve, reject) => {
    let out = '';
    const exited = (code) => reject(new Error(`${name} exited with ${code}: ${out}`));
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${out}`)), 60000);
    const seen = (chunk) => {
      out += chunk;
      if (out.includes(marker)) {
        clearTimeout(timer);
        child.off('exit', exited);
        resolve();
      }
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', seen);
    child.once('exit', exited);
  }).then(() => {
    child.stdout?.resume();
    child.stderr?.resume();
  });
}

/** Starts `sep pay` alone on a free port; returns its address and the settings a portal
 *  needs to use it (`SEP_PAY_URL`, `SEP_PAY_TOKEN`, `SEP_PAY_SECRET`). */
export async function startPay() {
  const port = await freePort();
  const env = {
    SEP_PAY_URL: `http://127.0.0.1:${port}`,
    SEP_PAY_TOKEN: `e2e-token-${port}-${Date.now()}`,
    SEP_PAY_SECRET: `e2e-callback-secret-${port}-${Date.now()}`,
  };
  const child = spawn(sepBinary(), ['pay', '--pay-addr', `127.0.0.1:${port}`], {
    env: { ...process.env, ...env, SEP_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await banner(child, 'payment emulator listening', 'sep pay');
  return {
    env,
    url: env.SEP_PAY_URL,
    stop: () => ended(child, 'SIGTERM'),
  };
}

/** Debian's Chromium, headless, with the flags this closed network needs. */
export async function launch() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}: apt-get install chromium`);
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** Runs axe-core (WCAG 2.1 A/AA) on the page; fails on serious or critical violations. */
export async function checkA11y(page, name) {
  // evaluate() is not subject to the page's CSP, so the real CSP stays on while checking.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  checkedPages.push(`${name} (${page.url()}): ${bad.length} serious/critical`);
  if (bad.length) {
    const details = bad.map((v) => `${v.id} [${v.impact}]: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    throw new Error(`accessibility violations on ${name}:\n${details.join('\n')}`);
  }
}

/** Screenshot into e2e/artifacts/: the whole page, or only the viewport (`fullPage: false`,
 *  the size the README shows). */
export async function shot(page, name, { fullPage = true } = {}) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage });
}

/** Signs `page` in at the portal of `demo` as the demo person with `phone` (password, SMS code
 *  from the outbox, consent, terms); resolves in the cabinet. */
export async function signIn(page, demo, phone) {
  await page.goto(`${demo.portal}/login`);
  await page.getByLabel('Телефон, почта или СНИЛС').fill(phone);
  await page.getByLabel('Пароль').fill('Demo-Passw0rd');
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.waitForURL(/\/login\/code$/);
  await page.getByLabel('Код подтверждения').fill(codeIn(await lastMessage(demo.idp, 'Код подтверждения входа')));
  await page.getByRole('button', { name: 'Продолжить' }).click();
  await page.getByRole('button', { name: 'Предоставить' }).click();
  await page.getByRole('button', { name: 'Принимаю условия' }).click();
  await page.waitForURL(`${demo.portal}/cabinet`);
}

/** The newest message body at the emulator's outbox that starts with `prefix`. */
export async function lastMessage(idp, prefix) {
  const res = await fetch(`${idp}/outbox.json`);
  const { messages } = await res.json();
  const m = messages.find((x) => x.body.startsWith(prefix));
  if (!m) throw new Error(`no message starting with ${prefix}`);
  return m.body;
}

export const codeIn = (body) => body.split(': ')[1].slice(0, 6);
