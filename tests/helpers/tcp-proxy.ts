// A loopback TCP proxy in front of a server, so a test can cut every live connection (as a network
// failure would) while new connections keep working, or hold all traffic for a while (as a stalled
// network would) without losing any of it.
import net from 'node:net';
import { onCleanup } from './cleanup.js';

export interface TcpProxy {
  url: string;
  port: number;
  /** destroys every connection currently passing through */
  cut(): void;
  /** stops forwarding in both directions (connections stay open; new ones are accepted and wait) */
  hold(): void;
  /** forwards again, everything held first */
  release(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const pairs = new Set<[net.Socket, net.Socket]>();
  let held = false;
  // A paused socket keeps what it reads buffered (and stops reading once that is full).
  const forward = ([a, b]: [net.Socket, net.Socket]) => {
    a.pipe(b);
    b.pipe(a);
  };
  const stop = ([a, b]: [net.Socket, net.Socket]) => {
    a.unpipe(b);
    b.unpipe(a);
    a.pause();
    b.pause();
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [client, upstream];
    sockets.add(client).add(upstream);
    pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (held) stop(pair);
    else forward(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const proxy: TcpProxy = {
    port,
    url: `http://127.0.0.1:${port}`,
    cut: () => sockets.forEach((s) => s.destroy()),
    hold() {
      held = true;
      pairs.forEach(stop);
    },
    release() {
      held = false;
      pairs.forEach(forward);
    },
    close: () =>
      new Promise<void>((resolve) => {
        proxy.cut();
        server.close(() => resolve());
      }),
  };
  onCleanup(() => proxy.close());
  return proxy;
}
