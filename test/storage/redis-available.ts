// Whether a Redis answers for the tests: REDIS_URL when set (then it is required), else 127.0.0.1:6379.
import net from 'node:net';

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

let probe: Promise<string | undefined> | undefined;

/** Resolves undefined when Redis answers PING, or the reason to skip the Redis tests. */
export function redisUnavailable(): Promise<string | undefined> {
  // With REDIS_URL set (CI), Redis is required: the tests run and fail if it is not there.
  if (process.env.REDIS_URL) return Promise.resolve(undefined);
  probe ??= new Promise((resolve) => {
    const u = new URL(REDIS_URL);
    const socket = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(1000, () => done(`Redis at ${REDIS_URL} did not answer within 1 s`));
    socket.once('error', (err) => {
      done(`no Redis at ${REDIS_URL} (${err.message}); set REDIS_URL or start redis-server to run these tests`);
    });
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', () => done(undefined));
  });
  return probe;
}
