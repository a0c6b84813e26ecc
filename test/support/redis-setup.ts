// The Redis suites run when TEST_REDIS_URL is set (.ci/run sets it). When nothing answers there, the set-up
// starts Debian's redis-server on that port for the run and stops it at the end.
import { redisAnswers, startRedis } from './redis-server.js';

export default async function setup(): Promise<(() => Promise<void>) | void> {
  const url = process.env.TEST_REDIS_URL;
  if (!url) return;
  const { hostname, port } = new URL(url);
  const p = Number(port || 6379);
  if (await redisAnswers(p, hostname)) return;
  if (hostname !== '127.0.0.1' && hostname !== 'localhost') throw new Error(`TEST_REDIS_URL: nothing answers at ${url}, and only a local Redis can be started`);
  const redis = await startRedis(p);
  return () => redis.stop();
}
