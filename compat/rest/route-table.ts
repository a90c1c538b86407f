// Matches a method + path against a list of routes. Among patterns that fit, the one with more
// literal segments wins ("/users/@me" over "/users/:userId"); a path that fits only with another
// method is a 405.
import type { Method, Route } from './route.js';

type Segment = { literal: string } | { param: string };

interface Compiled {
  route: Route;
  segments: Segment[];
  literals: number;
}

export type Match = { route: Route; params: Record<string, string> } | 'method-not-allowed' | null;

export class RouteTable {
  private compiled: Compiled[];

  constructor(routes: Route[]) {
    this.compiled = routes
      .map((route) => {
        const segments = route.path
          .split('/')
          .filter(Boolean)
          .map((s): Segment => (s.startsWith(':') ? { param: s.slice(1) } : { literal: s }));
        return { route, segments, literals: segments.filter((s) => 'literal' in s).length };
      })
      .sort((a, b) => b.literals - a.literals);
  }

  match(method: string, path: string): Match {
    const parts = path.split('/').filter(Boolean).map(decode);
    if (parts.includes(null)) return null;
    let pathFits = false;
    for (const c of this.compiled) {
      const params = fit(c, parts);
      if (!params) continue;
      if (c.route.method === (method as Method)) return { route: c.route, params };
      pathFits = true;
    }
    return pathFits ? 'method-not-allowed' : null;
  }
}

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

function fit(c: Compiled, parts: (string | null)[]): Record<string, string> | null {
  if (c.segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (const [i, seg] of c.segments.entries()) {
    const part = parts[i]!;
    if ('literal' in seg) {
      if (seg.literal !== part) return null;
    } else params[seg.param] = part;
  }
  return params;
}
