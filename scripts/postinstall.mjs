// Runs after `npm install` / `npm ci`: generates the Prisma client, then compiles the server into
// dist/ so that `npm start` can run it.
//
// Compiling needs the devDependencies (type packages, discord-api-types; TypeScript itself also
// comes in as a peer of tRPC). An install without them (`npm ci --omit=dev`) keeps a build that is
// already there (e.g. copied from a build stage) and otherwise stops with the commands that work,
// instead of a page of compiler errors.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** devDependencies this install left out (all of them with --omit=dev or NODE_ENV=production) */
function missingDevDependencies() {
  const { devDependencies = {} } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return Object.keys(devDependencies).filter((name) => !existsSync(path.join(root, 'node_modules', name, 'package.json')));
}

run(process.execPath, [path.join(root, 'scripts/prisma-generate.mjs')]);
const missing = missingDevDependencies();
if (missing.length === 0) run('npm', ['run', 'build']);
else if (existsSync(path.join(root, 'dist/server/main.js'))) {
  console.log('postinstall: devDependencies are not installed: keeping the existing build in dist/');
} else {
  console.error(
    [
      `postinstall: cannot build the server: this install left the devDependencies out (${missing.join(', ')}),`,
      'which compiling needs (--omit=dev or NODE_ENV=production), and there is no build in dist/ to keep.',
      'For a production install, build with everything, then drop the development packages:',
      '  npm ci && npm run build && npm prune --omit=dev && npm start --silent',
    ].join('\n'),
  );
  process.exit(1);
}
