import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project folder (the one with package.json), found upwards from this module so it is the same
 * whether the server runs from its TypeScript sources or from the compiled dist/ folder.
 */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    dir = path.dirname(dir);
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'prisma'))) return dir;
  }
  throw new Error('project folder not found above server/paths');
}

export const PROJECT_ROOT = findRoot();
