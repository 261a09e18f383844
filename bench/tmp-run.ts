import { provisionRedis } from '../services/platform/redis/redis-provisioner.ts'
import { detection } from './detection.ts'

const redis = await provisionRedis()
try {
  const result = await detection(redis, Number(process.env.DRILLS ?? 1), false)
  process.stdout.write(`${result.lines.join('\n')}\n`)
} finally {
  await redis.stop()
}
