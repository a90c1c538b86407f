// What a test file started (servers, processes, sockets, its database) is stopped when the file
// ends. Helpers register here instead of calling vitest's afterAll: they run inside beforeAll or a
// test, where vitest silently ignores afterAll (so spawned servers outlived their files and test
// databases were never dropped). tests/setup/file.ts runs the registry after each file.

/** one cleanup may take this long before the next one runs anyway */
const CLEANUP_TIMEOUT_MS = 15_000;

const cleanups: (() => unknown)[] = [];

export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

/** Runs what was registered, newest first (a server stops before its database is dropped). */
export async function runCleanups(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('timed out'), CLEANUP_TIMEOUT_MS)));
    const outcome = await Promise.race([Promise.resolve().then(fn).then(() => 'done', (err: unknown) => `failed: ${String(err)}`), timeout]);
    clearTimeout(timer);
    if (outcome !== 'done') console.warn(`test cleanup ${outcome}: ${fn.toString().slice(0, 120)}`);
  }
}
