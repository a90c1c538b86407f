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

/**
 * Generates unique ids for one (worker, process) pair. When 4096 ids have been handed out in one
 * millisecond it moves on to the next millisecond instead of repeating; if the clock goes
 * backwards it keeps counting from the last millisecond it used.
 */
export class SnowflakeGenerator {
  private lastMs = 0n;
  private sequence = 0n;
  private readonly node: bigint;

  constructor(workerId: number, processId: number) {
    if (workerId < 0 || workerId > 31 || processId < 0 || processId > 31) throw new RangeError('worker and process ids are 0-31');
    this.node = (BigInt(workerId) << 17n) | (BigInt(processId) << 12n);
  }

  next(): bigint {
    let now = BigInt(Date.now());
    if (now <= this.lastMs) {
      now = this.lastMs;
      this.sequence = (this.sequence + 1n) & 0xfffn;
      if (this.sequence === 0n) now = this.lastMs + 1n;
    } else {
      this.sequence = 0n;
    }
    this.lastMs = now;
    return ((now - DISCORD_EPOCH) << 22n) | this.node | this.sequence;
  }
}
