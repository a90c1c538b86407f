// A lean keep-alive JSON client over node:http (the bench's request rate should be limited by the
// server, not by the client), plus the two ways of calling the server: tRPC and Discord REST.
import http from 'node:http';

export interface HttpResult {
  status: number;
  body: any;
}

export class HttpClient {
  private agent: http.Agent;
  private host: string;
  private port: number;

  constructor(baseUrl: string, maxSockets = 64) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<HttpResult> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...headers },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** A tRPC procedure over HTTP (no transformer): mutations POST the input, queries GET it. */
  async trpc<T = any>(kind: 'query' | 'mutation', procedure: string, input: unknown, token?: string): Promise<T> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const res =
      kind === 'mutation'
        ? await this.request('POST', `/trpc/${procedure}`, input ?? {}, headers)
        : await this.request('GET', `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input ?? {}))}`, undefined, headers);
    if (res.status !== 200) throw new Error(`${procedure} failed: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return res.body.result.data as T;
  }

  /** A Discord REST call under /api/v10 with `Authorization: Bot <token>`. */
  async discord<T = any>(method: string, path: string, body: unknown, botToken: string): Promise<T> {
    const res = await this.request(method, `/api/v10${path}`, body, { authorization: `Bot ${botToken}` });
    if (res.status >= 300) throw new Error(`${method} ${path} failed: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return res.body as T;
  }

  close() {
    this.agent.destroy();
  }
}

/** Runs fn over items with at most `limit` in flight; rejects on the first failure. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
