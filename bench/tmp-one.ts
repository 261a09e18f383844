import { provisionRedis } from '../services/platform/redis/redis-provisioner.ts'
import { detectionRun } from './detection-run.ts'

const redis = await provisionRedis()
try {
  for (const kind of (process.env.KINDS ?? 'availability').split(',') as (
    | 'availability'
    | 'latency'
    | 'fulfilment'
  )[]) {
    const r = await detectionRun(redis, kind, 5000)
    const rel = (x: number | null) => (x === null ? null : x - r.faultAt)
    console.log(
      kind,
      JSON.stringify({
        floor: rel(r.floorAt),
        det: rel(r.detectorAt),
        page: rel(r.pageAt),
        prom: rel(r.prometheusAt),
        e: r.errorRatio,
        clean: r.cleanErrorRatio,
        before: r.burningBefore,
        n: r.events,
      }),
    )
  }
} finally {
  await redis.stop()
}
