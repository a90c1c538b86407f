// Readable log lines for a developer's terminal (LOG_FORMAT=pretty, or auto in development on a
// TTY): "12:34:56.789 INFO  request GET /api/users/@me 200 3.1ms requestId=… userId=…".
// A few lines of our own instead of pino-pretty, which would bring a dozen packages into the
// production install for a development convenience.
import type { DestinationStream } from 'pino';

const LEVELS: Record<number, [name: string, color: number]> = {
  10: ['TRACE', 90],
  20: ['DEBUG', 36],
  30: ['INFO ', 32],
  40: ['WARN ', 33],
  50: ['ERROR', 31],
  60: ['FATAL', 35],
};
/** fields every line has, or that the line's head already shows */
const HIDDEN = new Set(['level', 'time', 'pid', 'msg']);

const paint = (on: boolean, color: number, text: string) => (on ? `\x1b[${color}m${text}\x1b[0m` : text);

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

/** One JSON log line as one readable line (an error's stack on the lines below it). */
export function prettyLine(json: string, colors: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const [name, color] = LEVELS[entry.level as number] ?? ['?    ', 0];
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now()).toISOString().slice(11, 23);
  const fields = Object.entries(entry)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined && k !== 'err')
    .map(([k, v]) => `${paint(colors, 90, `${k}=`)}${value(v)}`);
  const err = entry.err as { stack?: string; message?: string } | undefined;
  const stack = err ? `\n${paint(colors, 31, err.stack ?? err.message ?? JSON.stringify(err))}` : '';
  return `${paint(colors, 90, time)} ${paint(colors, color, name)} ${String(entry.msg ?? '')} ${fields.join(' ')}${stack}\n`;
}

export function prettyDestination(out: { write(s: string): unknown; isTTY?: boolean }): DestinationStream {
  const colors = out.isTTY === true && !process.env.NO_COLOR;
  return { write: (line: string) => void out.write(prettyLine(line, colors)) };
}
