// Latency and failures of the Redis commands a connection sends (redis_command_*), measured where
// ioredis hands each command to the connection, so auto-pipelined and scripted commands count too.
import type { Redis } from 'ioredis';
import type { Metrics } from './metrics.js';

export function instrumentRedis(redis: Redis, metrics: Metrics) {
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    const labels = { command: command.name };
    const end = metrics.redisCommands.startTimer(labels);
    command.promise.then(
      () => end(),
      () => {
        end();
        metrics.redisErrors.inc(labels);
      },
    );
    return send(command, stream);
  };
}
