import { provisionRedis } from '../services/platform/redis/redis-provisioner.ts'
import { flagPropagation } from './flag-propagation.ts'

/**
 * `npm run bench`: prints each benchmark's figures, and the ratio against a baseline measured in the same run.
 * Figures are measured here, never asserted in tests. `BENCH_QUICK=1` runs fewer iterations.
 */
const quick = process.env.BENCH_QUICK === '1'
const redis = await provisionRedis()
process.stdout.write(`firedrill bench  node ${process.version}  redis ${redis.url} (${redis.source})\n\n`)
try {
  const flags = await flagPropagation(redis, quick ? 60 : 300, quick ? 6 : 24)
  process.stdout.write(`${flags.lines.join('\n')}\n\n`)
} finally {
  await redis.stop()
}
