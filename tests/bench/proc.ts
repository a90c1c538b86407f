// Reads a process's CPU time and memory from /proc (Linux), so the server is measured apart from
// the bench's own clients.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux architecture Node supports

/** utime + stime of the process, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the parenthesised command name (which may contain spaces)
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function statusField(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Resident set size in bytes. */
export const rssBytes = (pid: number) => statusField(pid, 'VmRSS');

/** Proportional set size in bytes (shared pages split among their users), NaN if unreadable. */
export function pssBytes(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // exited meanwhile
  }
}

/** The process and all its descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const ppid = parentOf(pid);
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** Summed RSS and PSS of a process tree (RSS counts shared memory once per process; PSS does not). */
export function treeMemory(root: number): { rss: number; pss: number; processes: number } {
  let rss = 0;
  let pss = 0;
  const pids = processTree(root);
  for (const pid of pids) {
    try {
      rss += rssBytes(pid);
      pss += pssBytes(pid);
    } catch {
      // exited meanwhile
    }
  }
  return { rss, pss, processes: pids.length };
}

/** CPU use of a process between two calls, as a percentage of one core (can exceed 100). */
export function cpuMeter(pid: number) {
  let t0 = performance.now();
  let c0 = cpuSeconds(pid);
  return {
    /** percentage since the meter started (or was last reset) */
    read(): number {
      const dt = (performance.now() - t0) / 1000;
      return dt > 0 ? ((cpuSeconds(pid) - c0) / dt) * 100 : NaN;
    },
    reset() {
      t0 = performance.now();
      c0 = cpuSeconds(pid);
    },
  };
}

/** Samples RSS every interval while running, for the peak during a measurement. */
export function rssSampler(pid: number, intervalMs = 250) {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // the process exited; the caller finds out elsewhere
    }
  }, intervalMs);
  return {
    stop(): { peak: number; last: number } {
      clearInterval(timer);
      const last = rssBytes(pid);
      return { peak: Math.max(peak, last), last };
    },
  };
}
