// A throwaway npm registry on the loopback interface: verdaccio (pinned in
// scripts/loopback-registry, installed there on first use), one local user, no
// uplinks — it serves only what is published to it, and publishing needs the user's
// token, as on the real registry.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { run } from './release-pack.mjs';
import { repoRoot } from './release-workspaces.mjs';

const toolDir = path.join(repoRoot, 'scripts', 'loopback-registry');
const USER = 'loopback';
const PASSWORD = 'loopback-only-password';

/** `npm ci` of the pinned verdaccio, once. */
export function installRegistry() {
  if (existsSync(path.join(toolDir, 'node_modules', 'verdaccio'))) return false;
  run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: toolDir });
  return true;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const config = `storage: ./storage
auth:
  htpasswd:
    file: ./htpasswd
    max_users: -1
uplinks: {}
packages:
  '@secondary-mmu/*':
    access: $all
    publish: $authenticated
  '**':
    access: $all
    publish: $authenticated
log: { type: stdout, format: pretty, level: warn }
`;

async function waitUntilUp(url, child, output) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}:\n${output.join('')}`);
    try {
      if ((await fetch(`${url}-/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`verdaccio did not answer on ${url} within 30 s:\n${output.join('')}`);
}

/**
 * GET as JSON. Retried once: the registry closes idle keep-alive sockets, and one may
 * die while this process waits in a synchronous child.
 */
export async function getJson(url) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await (await fetch(url)).json();
    } catch (error) {
      if (attempt === 2) throw error;
    }
  }
}

/** Logs the local user in (npm's couchdb login, with basic auth as `npm login` sends it) and returns its token. */
async function login(url) {
  const response = await fetch(`${url}-/user/org.couchdb.user:${USER}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
    body: JSON.stringify({ name: USER, password: PASSWORD }),
  });
  const body = await response.json();
  if (!response.ok || typeof body.token !== 'string') throw new Error(`login to ${url} failed: ${response.status} ${JSON.stringify(body)}`);
  return body.token;
}

/** Starts verdaccio on 127.0.0.1 with its state in `dir`; returns its URL, a token and `stop`. */
export async function startRegistry(dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.yaml'), config);
  const sha = createHash('sha1').update(PASSWORD).digest('base64');
  writeFileSync(path.join(dir, 'htpasswd'), `${USER}:{SHA}${sha}:autocreated\n`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const bin = path.join(toolDir, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  // Its log goes to a file, not a pipe: while this process waits in a synchronous
  // child (npm publish), nobody would read a pipe, and a full one blocks the registry.
  const logFile = path.join(dir, 'verdaccio.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [bin, '--config', path.join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`], { cwd: dir, stdio: ['ignore', fd, fd] });
  const output = { join: () => readFileSync(logFile, 'utf8') };
  const stop = () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM'))));
  try {
    await waitUntilUp(url, child, output);
    return { url, token: await login(url), stop, output };
  } catch (error) {
    await stop();
    throw error;
  }
}
