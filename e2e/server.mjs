// Starting and stopping the real Townsquare binary for the browser tests: a free port on
// loopback, a fresh temporary data directory, the log written to a file, and a wait until
// GET /healthz answers. Shared by every *.test.mjs file here.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const SERVER_BIN = process.env.TOWNSQUARE_BIN
  ? path.resolve(process.cwd(), process.env.TOWNSQUARE_BIN)
  : path.resolve(E2E_DIR, '../target/debug/townsquare');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const HEALTH_TIMEOUT_MS = 60_000;

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function describeExit(exited) {
  if (exited.error) return `could not start: ${exited.error.message}`;
  return exited.signal ? `killed by ${exited.signal}` : `exit code ${exited.code}`;
}

/**
 * Starts the server and waits for /healthz; `extraArgs` go after `serve` (for example
 * `--demo`, which seeds before listening and so may take `healthTimeoutMs` longer). Resolves to
 * { child, baseUrl, dataDir, logPath, exited, exitedPromise, stdout(), stderr() }.
 * `logPath` receives the server's output.
 */
export async function startServer(logPath, { extraArgs = [], healthTimeoutMs = HEALTH_TIMEOUT_MS } = {}) {
  if (!fs.existsSync(SERVER_BIN)) {
    throw new Error(
      `Server binary not found at ${SERVER_BIN}.\n` +
        'Build it with `cargo build -p townsquare` or set TOWNSQUARE_BIN to its path.',
    );
  }
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'townsquare-e2e-'));
  fs.mkdirSync(path.dirname(logPath), { recursive: true });
  const logFile = fs.createWriteStream(logPath);
  let stdout = '';
  let stderr = '';
  const keep = (buf, chunk) => (buf + chunk).slice(-20_000);

  const child = spawn(
    SERVER_BIN,
    ['serve', '--bind', `127.0.0.1:${port}`, '--data-dir', dataDir, ...extraArgs],
    {
      // Playwright fills the sign-up form faster than a person; the minimum fill time is
      // tested in the Rust suite (accounts::the_signup_form_stops_bots).
      env: { ...process.env, TOWNSQUARE_BASE_URL: baseUrl, TOWNSQUARE_SIGNUP_MIN_FILL_SECONDS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const state = {
    child,
    baseUrl,
    dataDir,
    logPath,
    exited: null,
    stdout: () => stdout,
    stderr: () => stderr,
  };
  child.stdout.on('data', (c) => {
    stdout = keep(stdout, c.toString());
    logFile.write(c);
  });
  child.stderr.on('data', (c) => {
    stderr = keep(stderr, c.toString());
    logFile.write(c);
  });
  state.exitedPromise = new Promise((resolve) => {
    child.on('error', (err) => {
      state.exited = { error: err };
      resolve();
    });
    child.on('exit', (code, signal) => {
      state.exited = { code, signal };
      logFile.end();
      resolve();
    });
  });
  process.on('exit', () => {
    if (!state.exited) child.kill('SIGKILL');
  });

  const deadline = Date.now() + healthTimeoutMs;
  let lastProblem = 'no attempt yet';
  while (Date.now() < deadline) {
    if (state.exited) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      throw new Error(
        `The server exited before /healthz answered (${describeExit(state.exited)}).\n` +
          `Command: ${SERVER_BIN} serve --bind 127.0.0.1:${port} --data-dir ${dataDir} ${extraArgs.join(' ')}\n` +
          `--- server stderr ---\n${stderr || '(empty)'}\n--- server stdout ---\n${stdout || '(empty)'}`,
      );
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return state;
      lastProblem = `GET /healthz answered ${res.status}`;
    } catch (err) {
      lastProblem = `GET /healthz failed: ${err.cause?.code || err.message}`;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stopServer(state);
  throw new Error(
    `The server did not answer GET /healthz with 200 within ${healthTimeoutMs / 1000} s ` +
      `(last: ${lastProblem}).\n--- server stderr ---\n${stderr || '(empty)'}`,
  );
}

export async function stopServer(state) {
  if (!state) return;
  if (!state.exited) {
    state.child.kill('SIGTERM');
    const timer = setTimeout(() => state.child.kill('SIGKILL'), 5_000);
    await state.exitedPromise;
    clearTimeout(timer);
  }
  if (process.env.TOWNSQUARE_E2E_KEEP_DATA) {
    console.log(`# kept server data dir: ${state.dataDir}`);
  } else {
    fs.rmSync(state.dataDir, { recursive: true, force: true });
  }
}
