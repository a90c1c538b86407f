// Raises the open-file limit for the bench process only: 10,000 gateway connections need 10,000
// descriptors on each side. Node cannot call setrlimit, so the bench re-executes itself under
// `ulimit -n` (bash); the server and baseline children inherit the raised limit. The shell that
// ran `npm run bench` keeps its own limit.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const WANTED = 65_536;
const MARK = 'CHAT_BENCH_FD_RAISED';

/** The soft limit on open files of this process. */
export function openFileLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === 'unlimited' ? Infinity : Number(soft);
}

/**
 * Returns when the limit is high enough (or was already raised once); otherwise runs this same
 * command again under a raised limit and exits with its exit code.
 */
export async function ensureOpenFileLimit(needed: number): Promise<void> {
  if (openFileLimit() >= needed || process.env[MARK]) return;
  // Raise to WANTED (root may raise the hard limit too); without the right, to the hard limit.
  const script = `ulimit -n ${WANTED} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"`;
  const child = spawn('bash', ['-c', script, 'bash', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [MARK]: '1' },
  });
  // Ctrl-C reaches the child through the terminal's process group; wait for it to clean up.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  const code = await new Promise<number>((resolve) => child.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
  process.exit(code);
}
