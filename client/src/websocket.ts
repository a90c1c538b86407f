// tRPC's WebSocket client waits for an `open` or an `error` event on every new socket, and retries
// only after an error. Node's built-in WebSocket (undici) fires no event at all when the far end
// accepts the TCP connection and closes it without an HTTP answer (a proxy whose upstream is down),
// and only `error` when closed while connecting; other implementations may fire a bare `close`.
// tRPC then waited forever and never reconnected. This wrapper turns a close before opening, and no
// open within the timeout (closing the socket, which reports the error), into an `error` event.

/** An error event for both kinds of WebSocket: EventTarget-based (browsers, Node) and `ws`'s EventEmitter. */
function fireError(socket: WebSocket, message: string): void {
  const emitter = socket as unknown as { emit?: (name: string, error: Error) => boolean };
  if (typeof emitter.emit === 'function') emitter.emit('error', new Error(message));
  else socket.dispatchEvent(new Event('error'));
}

/**
 * A WebSocket class like `Base` whose sockets report an `error` when they close before opening
 * without one, and close (so report an error) when they have not opened within `connectTimeoutMs`.
 */
export function withFailedOpenAsError(Base: typeof globalThis.WebSocket, connectTimeoutMs: number): typeof globalThis.WebSocket {
  return class GuardedWebSocket extends Base {
    constructor(...args: ConstructorParameters<typeof globalThis.WebSocket>) {
      super(...args);
      let settled = false;
      // Closing a socket that is still connecting fails it: an error event, or the close below.
      const timer = setTimeout(() => this.close(), connectTimeoutMs);
      const settle = () => {
        settled = true;
        clearTimeout(timer);
      };
      // Registered before tRPC's own listeners, so the error reaches them ahead of the close.
      this.addEventListener('open', settle);
      this.addEventListener('error', settle);
      this.addEventListener('close', () => {
        if (settled) return;
        settle();
        fireError(this, 'WebSocket closed before it opened');
      });
    }
  };
}
