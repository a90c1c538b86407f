// Graceful shutdown of the real process: SIGTERM stops new connections, lets requests in flight
// finish, drops idle keep-alive connections, and exits 0.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { uniqueName } from './helpers/clients.js';
import { portRefuses } from './helpers/processes.js';
import { spawnServer } from './helpers/server.js';

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * An auth.register call sent in two steps: headers first with `Expect: 100-continue` (the server
 * answers "100 Continue" once its request handler runs, so the request is provably in flight),
 * then the body when the test says so.
 */
function registerInTwoSteps(port: number) {
  const username = uniqueName();
  const body = JSON.stringify({ username, email: `${username}@example.test`, password: 'correct horse battery' });
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/trpc/auth.register',
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
  });
  const inFlight = new Promise<void>((resolve) => req.once('continue', resolve));
  const response = new Promise<{ status: number; body: { result?: { data?: { user?: { username?: string } } } } }>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
  req.flushHeaders();
  return { username, inFlight, response, sendBody: () => req.end(body) };
}

describe('graceful shutdown', () => {
  it('SIGTERM lets in-flight requests complete, refuses new connections, does not wait for idle keep-alive connections, and exits 0', async () => {
    // a long drain deadline, so waiting on an idle connection would show as a slow exit
    const server = await spawnServer({ SHUTDOWN_TIMEOUT_MS: '30000' });

    const keepAlive = new http.Agent({ keepAlive: true });
    const idle = await fetchStatus(`${server.url}/health/live`, keepAlive);
    expect(idle).toBe(200);

    const calls = Array.from({ length: 4 }, () => registerInTwoSteps(server.port));
    await Promise.all(calls.map((c) => c.inFlight));

    server.child.kill('SIGTERM');
    await until('the server logs that it shuts down', () => server.output().includes('"msg":"shutting down"'));
    await until('the listening socket is closed', () => portRefuses(server.port));
    expect(server.child.exitCode).toBeNull(); // still draining: the calls have not even sent their bodies

    const termSent = Date.now();
    for (const c of calls) c.sendBody();
    const responses = await Promise.all(calls.map((c) => c.response));
    responses.forEach((r, i) => {
      expect(r.status).toBe(200);
      expect(r.body.result?.data?.user?.username).toBe(calls[i]!.username);
    });

    expect(await server.stop()).toBe(0);
    expect(Date.now() - termSent).toBeLessThan(15_000);
    expect(await portRefuses(server.port)).toBe(true);
    expect(server.output()).not.toMatch(/"level":(50|60)/); // no error or fatal logged on the way out
    keepAlive.destroy();
  }, 90_000);
});

function fetchStatus(url: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}
