// Builds the publishable package into dist/: index.js (ESM, imports only @trpc/*) and one bundled
// index.d.ts that holds the router's types with no reference to server sources or packages.
//
// 1. tsc compiles src/ into build/, with declarations; the router's come along from the server's
//    sources, fully expanded (inputs and outputs as plain object types) since tsc infers them.
// 2. rollup bundles the JS, and rollup-plugin-dts the declarations, inlining every relative import
//    and keeping @trpc/* as imports. The one server type those declarations still name is the
//    request context (the router's `ctx`, which reaches no client and would drag in Prisma, Redis
//    and the rest): it is replaced by an empty object type.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';

const here = path.dirname(fileURLToPath(import.meta.url));
const build = path.join(here, 'build');
const dist = path.join(here, 'dist');
const serverContext = path.join(build, 'server/context.js');
const isExternal = (id) => /^@trpc\/(client|server)(\/|$)/.test(id);

rmSync(build, { recursive: true, force: true });
rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [path.join(here, '../node_modules/typescript/bin/tsc'), '-p', here], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

/** Any import that is neither relative (to inline) nor @trpc/* would become a dependency: refuse it. */
function refuseOtherImports(warning) {
  throw new Error(`client bundle: ${warning.message}`);
}

const opaqueServerContext = {
  name: 'opaque-server-context',
  resolveId(source, importer) {
    if (importer && source.startsWith('.') && path.resolve(path.dirname(importer), source) === serverContext) return '\0server-context.d.ts';
    return null;
  },
  load(id) {
    return id === '\0server-context.d.ts' ? 'export type Context = object;\n' : null;
  },
};

const entry = path.join(build, 'client/src/index');
const js = await rollup({ input: `${entry}.js`, external: isExternal, onwarn: refuseOtherImports });
await js.write({ file: path.join(dist, 'index.js'), format: 'es' });
const types = await rollup({ input: `${entry}.d.ts`, external: isExternal, onwarn: refuseOtherImports, plugins: [opaqueServerContext, dts()] });
await types.write({ file: path.join(dist, 'index.d.ts'), format: 'es' });
// rollup-plugin-dts leaves a package import in place without a warning (zod, say, from a schema type): refuse it here.
const strayImports = [...readFileSync(path.join(dist, 'index.d.ts'), 'utf8').matchAll(/\bfrom '([^']+)'/g)].map((m) => m[1]).filter((id) => !isExternal(id));
if (strayImports.length) throw new Error(`client bundle: the types import ${[...new Set(strayImports)].join(', ')}, which the package does not install`);
rmSync(build, { recursive: true, force: true });
