// Reading a spawned server's log: its stdout must be JSON lines, one object per line.
import type { ServerProcess } from './server.js';

export type LogLine = Record<string, any> & { level: number; msg: string };

/** Every stdout line parsed; throws (failing the test) on a line that is not a JSON object. */
export function logLines(proc: ServerProcess): LogLine[] {
  return proc
    .stdout()
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new Error(`stdout line is not JSON: ${JSON.stringify(line)}`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`stdout line is not a JSON object: ${line}`);
      return parsed as LogLine;
    });
}

/** Waits until a log line matches (the server writes the line after answering, so it may come a moment later). */
export async function waitForLog(proc: ServerProcess, pred: (l: LogLine) => boolean, timeoutMs = 5000): Promise<LogLine> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = logLines(proc).find(pred);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms; log:\n${proc.stdout()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
