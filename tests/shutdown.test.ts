// Graceful shutdown of the real process: SIGTERM stops new connections, lets requests in flight
// finish, drops idle keep-alive connections, and exits 0.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { uniqueName } from './helpers/clients.js';
import { portRefuses } from './helpers/processes.js';
import { heldPost } from './helpers/raw-http.js';
import { spawnServer } from './helpers/server.js';

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** An auth.register call held in flight until the test sends its body (see heldPost). */
function registerInTwoSteps(port: number) {
  const username = uniqueName();
  const input = { username, email: `${username}@example.test`, password: 'correct horse battery' };
  return { username, ...heldPost<{ result?: { data?: { user?: { username?: string } } } }>(port, '/trpc/auth.register', input) };
}

describe('graceful shutdown', () => {
  it('SIGTERM lets in-flight requests complete, refuses new connections, does not wait for idle keep-alive connections, and exits 0', async () => {
    // a long drain deadline, so waiting on an idle connection would show as a slow exit
    const server = await spawnServer({ SHUTDOWN_TIMEOUT_MS: '30000' });

    const keepAlive = new http.Agent({ keepAlive: true });
    const idle = await fetchStatus(`${server.url}/health/live`, keepAlive);
    expect(idle).toBe(200);

    const calls = Array.from({ length: 4 }, () => registerInTwoSteps(server.port));
    await Promise.all(calls.map((c) => c.accepted));

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
