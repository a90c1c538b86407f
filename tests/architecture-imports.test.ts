// The rooms' import rules (docs/architecture.md), read from the sources themselves: shared/ stands
// alone, the server never reaches into compat/ (main.ts wires it), and compat/ enters the server only
// through its ports. A new import across a wall fails here, in `npm test`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
    .filter((f) => !f.includes(`${path.sep}generated${path.sep}`));
}

/** Every relative module a file imports (static, type-only, re-exports and dynamic), as a path from the root. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'(\.[^']+)'/gm)].map((m) => m[1]!);
  return specifiers.map((s) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s)).replace(/\.js$/, '.ts'));
}

/** file -> the imports of it that break `allowed` */
function violations(dir: string, allowed: (target: string, file: string) => boolean): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const file of sources(dir)) {
    const bad = importsOf(file).filter((target) => !allowed(target, file));
    if (bad.length) out[file] = bad;
  }
  return out;
}

const inside = (target: string, dir: string) => target === dir || target.startsWith(`${dir}/`);

// What the compat layer may use of the server: the typed caller and the router's type, the
// gateway's port, and (REST, not yet behind a port of its own) the request context and the HTTP mount.
const GATEWAY_ENTRIES = ['server/gateway-port.ts', 'server/caller.ts'];
const REST_ENTRIES = [
  ...GATEWAY_ENTRIES,
  'server/routers/index.ts',
  'server/app.ts',
  'server/context.ts',
  'server/deps.ts',
  'server/config.ts',
  'server/http/server.ts',
  'server/http/route-label.ts',
  'server/services/errors.ts',
];

describe('import rules', () => {
  it('finds the imports it checks', () => {
    expect(importsOf('compat/gateway/connection.ts')).toContain('server/gateway-port.ts');
    expect(sources('shared').length).toBeGreaterThan(5);
  });

  it('shared/ imports nothing from server/ or compat/', () => {
    expect(violations('shared', (t) => !inside(t, 'server') && !inside(t, 'compat'))).toEqual({});
  });

  it('server/ imports nothing from compat/ (main.ts alone wires it in)', () => {
    expect(violations('server', (t, file) => !inside(t, 'compat') || file === 'server/main.ts')).toEqual({});
  });

  it('the gateway reaches the server only through its port and the typed caller', () => {
    expect(violations('compat/gateway', (t) => !inside(t, 'server') || GATEWAY_ENTRIES.includes(t))).toEqual({});
  });

  it('the rest of compat/ reaches the server only through the listed entry points', () => {
    expect(violations('compat', (t) => !inside(t, 'server') || REST_ENTRIES.includes(t))).toEqual({});
  });
});
