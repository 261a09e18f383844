import { provisionRedis } from '../services/platform/redis/redis-provisioner.ts'
import { detectionRun } from './detection-run.ts'
const redis = await provisionRedis()
try {
  for (const kind of ['availability', 'latency', 'fulfilment'] as const) {
    const r = await detectionRun(redis, kind, 5000)
    const rel = (x: number | null) => (x === null ? null : x - r.faultAt)
    console.log(kind, { floor: rel(r.floorAt), detector: rel(r.detectorAt), page: rel(r.pageAt), prom: rel(r.prometheusAt), e: r.errorRatio, n: r.events })
  }
} finally {
  await redis.stop()
}
