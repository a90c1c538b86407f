// Discord-layout snowflakes: 42 bits of ms since the Discord epoch, 5-bit worker, 5-bit process,
// 12-bit sequence.
export const DISCORD_EPOCH = 1420070400000n;

export interface SnowflakeParts {
  timestamp: number;
  workerId: number;
  processId: number;
  increment: number;
}

export function deconstructSnowflake(id: bigint | string): SnowflakeParts {
  const v = BigInt(id);
  return {
    timestamp: Number((v >> 22n) + DISCORD_EPOCH),
    workerId: Number((v & 0x3e0000n) >> 17n),
    processId: Number((v & 0x1f000n) >> 12n),
    increment: Number(v & 0xfffn),
  };
}

/** The smallest snowflake of a given millisecond, for time-based pagination cursors. */
export function snowflakeFromTimestamp(ms: number): bigint {
  return (BigInt(ms) - DISCORD_EPOCH) << 22n;
}

export function snowflakeTimestamp(id: bigint | string): Date {
  return new Date(deconstructSnowflake(id).timestamp);
}

/** Thrown by SnowflakeGenerator.next() while it has no process id it may mint under. */
export class SnowflakeUnavailableError extends Error {
  constructor() {
    super('no snowflake process id is held: ids cannot be generated right now');
  }
}

/**
 * Generates unique ids for one (worker, process) pair. When 4096 ids have been handed out in one
 * millisecond it moves on to the next millisecond instead of repeating; if the clock goes
 * backwards it keeps counting from the last millisecond it used.
 * The process id may be a function (a lease): it is asked before every id; null means no id may be
 * minted now (next() throws SnowflakeUnavailableError). Ids keep increasing when it changes.
 */
export class SnowflakeGenerator {
  private lastMs = 0n;
  private sequence = 0n;
  private lastProcessId: number | null = null;
  private readonly worker: bigint;
  private readonly processId: () => number | null;

  constructor(workerId: number, processId: number | (() => number | null)) {
    if (workerId < 0 || workerId > 31) throw new RangeError('worker and process ids are 0-31');
    if (typeof processId === 'number') checkProcessId(processId);
    this.worker = BigInt(workerId) << 17n;
    this.processId = typeof processId === 'number' ? () => processId : processId;
  }

  next(): bigint {
    const processId = this.processId();
    if (processId === null) throw new SnowflakeUnavailableError();
    if (processId !== this.lastProcessId) {
      checkProcessId(processId);
      // Under another process id the same millisecond could yield a smaller id: start on the next one.
      if (this.lastProcessId !== null) this.sequence = 0xfffn;
      this.lastProcessId = processId;
    }
    let now = BigInt(Date.now());
    if (now <= this.lastMs) {
      now = this.lastMs;
      this.sequence = (this.sequence + 1n) & 0xfffn;
      if (this.sequence === 0n) now = this.lastMs + 1n;
    } else {
      this.sequence = 0n;
    }
    this.lastMs = now;
    return ((now - DISCORD_EPOCH) << 22n) | this.worker | (BigInt(processId) << 12n) | this.sequence;
  }
}

function checkProcessId(processId: number) {
  if (!Number.isInteger(processId) || processId < 0 || processId > 31) throw new RangeError('worker and process ids are 0-31');
}
