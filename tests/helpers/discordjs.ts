// discord.js test helpers.
import type { Client } from 'discord.js';

/** The arguments of the first `event` the client emits that satisfies `pred`; rejects after `timeoutMs`. */
export function eventOnce<T extends unknown[]>(client: Client, event: string, pred: (...args: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(event, handler);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const handler = (...args: T) => {
      if (!pred(...args)) return;
      clearTimeout(timer);
      client.off(event, handler);
      resolve(args);
    };
    client.on(event, handler);
  });
}
