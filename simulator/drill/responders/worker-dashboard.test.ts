import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { readWorkerCounters, seenWorkers, workerCountersOf } from './worker-dashboard.ts'

const METRICS = (
  calls: number,
  refused: number,
  paid: number,
  waiting: number,
) => `# HELP payments_requests_total Requests to the payment provider
# TYPE payments_requests_total counter
payments_requests_total{status_code="200"} ${calls - refused}
payments_requests_total{status_code="429"} ${refused}
# TYPE fulfilment_job_duration_seconds histogram
fulfilment_job_duration_seconds_bucket{le="0.005",outcome="paid"} 1
fulfilment_job_duration_seconds_sum{outcome="paid"} 0.5
fulfilment_job_duration_seconds_count{outcome="paid"} ${paid}
fulfilment_job_duration_seconds_count{outcome="retry"} 3
# TYPE fulfilment_queue_depth gauge
fulfilment_queue_depth{state="waiting"} ${waiting}
fulfilment_queue_depth{state="delayed"} 1
fulfilment_queue_depth{state="active"} 2
`

const servers: ReturnType<typeof createServer>[] = []
async function worker(body: () => string): Promise<string> {
  const server = createServer((_request, response) => response.end(body()))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`
}
afterAll(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))))

describe("the workers' dashboard", () => {
  it("reads one worker's counters from its /metrics, by label", () => {
    expect(workerCountersOf(METRICS(120, 100, 7, 30))).toEqual({
      providerCalls: 120,
      rateLimited: 100,
      retries: 3,
      paid: 7,
      waiting: 30,
      delayed: 1,
      workers: 1,
    })
  })

  it('sums the workers that answer, takes the shared queue once, and leaves out one that does not answer', async () => {
    let calls = 10
    const a = await worker(() => METRICS(calls, 0, 5, 4))
    const b = await worker(() => METRICS(20, 15, 2, 6))
    const before = await readWorkerCounters([a, b, 'http://127.0.0.1:9/metrics'])
    expect(before).toMatchObject({ providerCalls: 30, rateLimited: 15, paid: 7, waiting: 6, workers: 2 })
    calls = 50
    const after = await readWorkerCounters([a, b])
    expect(seenWorkers(before, after, 1_000, 2_500)).toEqual({
      overMs: 1500,
      providerCalls: 40,
      rateLimited: 0,
      retries: 0,
      paid: 0,
      waiting: 6,
      delayed: 1,
      workers: 2,
    })
  })
})
