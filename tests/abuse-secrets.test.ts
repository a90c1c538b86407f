// Secrets never leak: a real server process logging at debug level goes through logins, bad
// logins, refreshes (and a refresh reuse), bot tokens, gateway IDENTIFY/RESUME with tokens, bad
// tokens and failing requests; neither its log nor any error body contains a password, an access,
// refresh or bot token, or the JWT secret.
import { describe, expect, it } from 'vitest';
import { httpClient, registerUser, uniqueName } from './helpers/clients.js';
import { connectGateway } from './helpers/gateway.js';
import { rawRequest } from './helpers/raw-http.js';
import { spawnServer } from './helpers/server.js';

const JWT_SECRET = 'log-secret-must-never-appear-0123456789abcdef';
const PASSWORD = 'correct horse battery';
const WRONG_PASSWORD = 'Tr0ub4dor&3-wrong-password';

describe('secrets in logs and error bodies', () => {
  it('no password, token or the JWT secret appears in the debug log or in any error body', async () => {
    const server = await spawnServer({ LOG_LEVEL: 'debug', JWT_SECRET, RATE_LIMIT_AUTH_PER_MINUTE: '4' });
    const url = server.url;
    const errorBodies: string[] = [];
    const json = (method: string, path: string, body: unknown, token?: string) =>
      rawRequest(url, method, path, {
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), 'x-forwarded-for': '198.51.100.7' },
        body: JSON.stringify(body),
      }).then((res) => {
        if (res.status >= 400) errorBodies.push(res.text);
        return res;
      });

    const user = await registerUser(url);
    const owner = await registerUser(url);
    const secrets = [PASSWORD, WRONG_PASSWORD, JWT_SECRET, user.accessToken, user.refreshToken, owner.accessToken, owner.refreshToken];
    const login = { login: user.username, password: PASSWORD };
    const tokenLogin = await json('POST', '/api/v10/auth/login', login);
    secrets.push((JSON.parse(tokenLogin.text) as { token: string }).token);
    // refresh, then reuse the old refresh token (which revokes the session)
    const anon = httpClient(url);
    const refreshed = await anon.auth.refresh.mutate({ refreshToken: user.refreshToken });
    secrets.push(refreshed.accessToken, refreshed.refreshToken);
    await json('POST', '/trpc/auth.refresh', { refreshToken: user.refreshToken });
    await json('POST', '/api/v1/auth/refresh', { refresh_token: refreshed.refreshToken });
    // a bot token, used, then revoked and used again
    const bot = await owner.client.auth.createBot.mutate({ username: uniqueName('bot') });
    secrets.push(bot.token);
    await json('GET', '/api/v10/users/@me', undefined, bot.token);
    await owner.client.auth.revokeBotTokens.mutate({ botId: bot.bot.id });
    await json('GET', '/api/v10/users/@me', undefined, bot.token);
    // gateway: identify with a good token, resume with a revoked one, identify with a bad one
    const gw = await connectGateway(url);
    const ready = await gw.identify(owner.accessToken);
    gw.close(4000);
    const resume = await connectGateway(url);
    await resume.next((p) => p.op === 10);
    resume.send(6, { token: bot.token, session_id: ready.d.session_id, seq: 1 });
    await resume.closed;
    const badGw = await connectGateway(url);
    await badGw.next((p) => p.op === 10);
    badGw.send(2, { token: `${owner.accessToken}x`, intents: 1, properties: {} });
    await badGw.closed;
    // bad logins (wrong password, unknown account) until rate limited, over tRPC and the v1 REST API
    for (let i = 0; i < 6; i++) {
      await json('POST', '/trpc/auth.login', { login: user.username, password: WRONG_PASSWORD });
      await json('POST', '/api/v1/auth/login', { email: `nobody_${i}@example.test`, password: WRONG_PASSWORD });
    }
    // failing requests carrying tokens: validation errors, unknown routes, a tampered token
    await json('POST', '/trpc/messages.send', { channelId: 'nope', content: PASSWORD }, owner.accessToken);
    await json('POST', '/api/v10/channels/1/messages', { content: JWT_SECRET }, `${owner.accessToken.slice(0, -3)}abc`);
    await json('POST', '/trpc/auth.register', { username: '!', email: 'bad', password: PASSWORD });
    await json('GET', `/api/v10/nowhere/${owner.accessToken}`, undefined, owner.accessToken);
    await json('POST', '/trpc/auth.login', { login: PASSWORD, password: owner.refreshToken });

    await server.stop();
    const log = server.output();
    expect(log.length).toBeGreaterThan(0);
    expect(errorBodies.length).toBeGreaterThanOrEqual(15);
    for (const secret of secrets) {
      expect(log.includes(secret), `the log contains ${secret.slice(0, 12)}…`).toBe(false);
      for (const body of errorBodies) expect(body.includes(secret), `an error body contains ${secret.slice(0, 12)}…: ${body.slice(0, 200)}`).toBe(false);
    }
    // nor recognisable parts of them (a token's signature, the refresh token without its first characters)
    for (const token of secrets.filter((s) => s.split('.').length === 3)) expect(log.includes(token.split('.')[2]!)).toBe(false);
  }, 120_000);
});
