import { afterEach, describe, expect, it } from 'vitest'
import { loadTarget } from '../record/target/load-target.ts'
import { releaseInFlagdFile } from '../simulator/target/flagd-file-flags.ts'
import { startTemplateTraffic } from '../simulator/traffic/start-template-traffic.ts'
import { type Cleanup, quotesTarget } from './support/quotes-service.ts'
import { runCliInProcess } from './support/run-cli.ts'

const cleanup: Cleanup = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

/** Resolves once `holds()` does, checking every 20 ms; fails after 15 s rather than hang. */
async function until(holds: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000
  while (!holds()) {
    if (Date.now() > deadline) throw new Error('condition never held')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('a second target, written apart from the shop: the quote service', { timeout: 60_000 }, () => {
  it('passes target check on its own names and flagd file, takes a canary step firedrill writes there, and counts 502s on its own metric while the fault proxy fails its dependency', async () => {
    // The example's target and flags file, copied: the release edits the flags file.
    const { targetFile, url, faults } = await quotesTarget(cleanup)
    const target = await loadTarget(targetFile)

    const quote = async (customer: string) => {
      const response = await fetch(`${url}/quote`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customer, amount: 100 }),
      })
      return (await response.json()) as { pricing: string; total: number }
    }
    expect(await quote('c-1')).toMatchObject({ pricing: 'standard', total: 100 })

    const { code, stdout } = await runCliInProcess(['target', 'check', targetFile])
    expect(stdout).toContain('target quotes: ready')
    expect(stdout).toMatch(/PASS {2}health http:\/\/127\.0\.0\.1:\d+\/live: 200/)
    expect(stdout).toMatch(/PASS {2}metrics \S+\/metrics: quote_request_seconds with code and handler/)
    expect(stdout).toMatch(/PASS {2}flag readable: quotes\.fx-v2 is off in \S+flags\.json/)
    expect(code).toBe(0)

    // Its own traffic, then the whole canary: the service reloads the file firedrill wrote and takes the new path.
    const traffic = target.target.traffic
    if (traffic.kind !== 'template') throw new Error('the example target has no request template')
    const run = startTemplateTraffic({
      targets: target.instances,
      ratePerSecond: traffic.ratePerSecond,
      request: traffic.request,
      seed: 11,
      timeoutMs: 5000,
    })
    cleanup.push(() => run.stop())
    await releaseInFlagdFile(target.flagsFile!, target.target.flags.flag, 100)
    const deadline = Date.now() + 10_000
    while ((await quote('c-1')).pricing !== 'fx-v2') {
      if (Date.now() > deadline) throw new Error('the quote service never took the canary step')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(await quote('c-2')).toMatchObject({ pricing: 'fx-v2', total: 125 })
    expect(Object.keys(run.summary().byStatus)).toEqual(['200'])

    // The fault, in its own dependency: the proxy answers 503, the service 502, and its own metric counts them.
    await faults.set({ status: { code: 503, percent: 100 } }, 'test', 'game day: rates down')
    await until(() => (run.summary().byStatus['502'] ?? 0) >= 5)
    await faults.clear('game day over', 'test')
    expect(await quote('c-3')).toMatchObject({ pricing: 'fx-v2', total: 125 })
    await run.stop()
    const metrics = await (await fetch(`${url}/metrics`)).text()
    expect(metrics).toMatch(/quote_request_seconds_count\{handler="\/quote",code="200"\} \d+/)
    expect(metrics).toMatch(/quote_request_seconds_count\{handler="\/quote",code="502"\} ([5-9]|\d\d+)/)
  })
})
