import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { systemClock } from '../record/clock/clock.ts'
import { OFF } from '../services/flags/flag-state.ts'
import { FlagsHttpClient } from '../services/flags/flags-http-client.ts'
import { startShop } from '../services/shop/start-shop.ts'
import type { SlothSpec } from '../simulator/detection/rules/sloth-spec.ts'
import {
  prometheusAlerts,
  prometheusRuleHealth,
  startPrometheus,
} from '../simulator/detection/testing/start-prometheus.ts'
import { createOrderGenerator } from '../simulator/traffic/order-generator.ts'
import { startTraffic } from '../simulator/traffic/start-traffic.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { dropPrefix, testPrefix, testRedisUrl } from './support/redis-sandbox.ts'
import { runCliInProcess } from './support/run-cli.ts'

const exec = promisify(execFile)
const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

const THREE_SLOS = {
  slo: {
    indicators: [
      { name: 'orders-availability', sli: 'availability' },
      { name: 'orders-latency', sli: 'latency', threshold: '250ms', objective: 0.95 },
      { name: 'orders-paid', sli: 'fulfilment', deadline: '2s' },
    ],
  },
}

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-slo-'))
  cleanup.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** `promtool check rules FILE`: exit 0 and SUCCESS, or the test fails with what promtool said. */
async function promtoolAccepts(file: string): Promise<string> {
  const { stdout } = await exec('promtool', ['check', 'rules', file])
  return stdout
}

async function sloRules(scenario: string, ...flags: string[]) {
  const out = join(await tempDir(), 'rules.yml')
  const result = await runCliInProcess(['slo', 'rules', '--scenario', scenario, '--out', out, ...flags])
  expect(result.code, result.stderr).toBe(0)
  return { file: out, text: await readFile(out, 'utf8') }
}

describe('firedrill slo rules', () => {
  it('writes burn-rate rules promtool accepts for every SLI, with real or scaled windows', async () => {
    const scenario = await quickScenario(THREE_SLOS)
    const real = await sloRules(scenario)
    expect(await promtoolAccepts(real.file)).toContain('SUCCESS: 18 rules found')
    const groups = (
      parse(real.text) as {
        groups: {
          name: string
          interval?: string
          rules: { alert?: string; expr: string; keep_firing_for?: string }[]
        }[]
      }
    ).groups
    expect(groups.map((g) => g.name)).toEqual([
      'firedrill-slo-orders-availability',
      'firedrill-slo-orders-latency',
      'firedrill-slo-orders-paid',
    ])
    const fast = groups[1]!.rules.find((r) => r.alert === 'fast-burn')!
    expect(fast.expr).toBe(
      'slo:sli_error:ratio_rate1h{slo="orders-latency"} > (14.4 * 0.05)\nand\nslo:sli_error:ratio_rate5m{slo="orders-latency"} > (14.4 * 0.05)',
    )
    expect(fast.keep_firing_for).toBe('10m')
    expect(real.text).toContain(
      'http_request_duration_seconds_bucket{method="POST",route="/orders",le="0.25"}[1h]',
    )
    expect(real.text).toContain(
      'fulfilment_order_settlement_seconds_bucket{outcome=~"paid|deferred",le="2"}[5m]',
    )

    // The drill's own windows: 1h at 1/960 is 3.75 s, evaluated every 100 ms as the scenario says.
    const scaled = await sloRules(scenario, '--scaled')
    expect(await promtoolAccepts(scaled.file)).toContain('SUCCESS: 18 rules found')
    const scaledGroups = (
      parse(scaled.text) as {
        groups: { interval?: string; rules: { alert?: string; keep_firing_for?: string; expr: string }[] }[]
      }
    ).groups
    expect(scaledGroups[0]!.interval).toBe('100ms')
    expect(scaledGroups[0]!.rules.find((r) => r.alert === 'fast-burn')).toMatchObject({
      expr: expect.stringContaining('slo:sli_error:ratio_rate3s750ms{slo="orders-availability"}'),
      keep_firing_for: '625ms',
    })
  })

  it('writes a sloth spec whose queries are PromQL once sloth puts its window in', async () => {
    const scenario = await quickScenario(THREE_SLOS)
    const { text } = await sloRules(scenario, '--format', 'sloth')
    const spec = parse(text) as SlothSpec
    expect(spec.version).toBe('prometheus/v1')
    expect(spec.slos.map((s) => [s.name, s.objective])).toEqual([
      ['orders-availability', 99],
      ['orders-latency', 95],
      ['orders-paid', 99],
    ])
    // What sloth does with the queries: the window in, error over total as a ratio.
    const rules = {
      groups: [
        {
          name: 'sloth-queries',
          rules: spec.slos.map((s) => ({
            record: `sloth_check:${s.name.replaceAll('-', '_')}`,
            expr: `(${s.sli.events.error_query.replaceAll('{{.window}}', '5m')}) / (${s.sli.events.total_query.replaceAll('{{.window}}', '5m')})`,
          })),
        },
      ],
    }
    const file = join(await tempDir(), 'sloth-queries.yml')
    await writeFile(file, stringify(rules))
    expect(await promtoolAccepts(file)).toContain('SUCCESS: 3 rules found')
  })

  it('refuses what it cannot write, with exit 2 and the fix', async () => {
    const sloth = await runCliInProcess(['slo', 'rules', '--format', 'sloth', '--scaled'])
    expect(sloth.code).toBe(2)
    expect(sloth.stderr).toContain('--scaled needs --format prometheus')
    const format = await runCliInProcess(['slo', 'rules', '--format', 'nagios'])
    expect(format.code).toBe(2)
    expect(format.stderr).toContain('--format must be prometheus or sloth')
    const missing = await runCliInProcess(['slo', 'rules', '--scenario', '/nonexistent/scenario.yaml'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).not.toMatch(/\n\s+at /)
  })

  it('fire in a real Prometheus scraping the real shop when its kill switch turns orders away', async () => {
    // 1h = 30 s, 5m = 2.5 s, scraped and evaluated every 500 ms (a scrape may take a while on a busy machine,
    // and Prometheus gives it no longer than the interval).
    const scenario = await quickScenario({
      ...THREE_SLOS,
      timeScale: 1 / 120,
      detection: { scrapeIntervalMs: 500, evaluationIntervalMs: 500 },
    })
    const { text } = await sloRules(scenario, '--scaled')
    const redisUrl = testRedisUrl()
    const prefix = testPrefix()
    const redis = new Redis(redisUrl)
    cleanup.push(async () => {
      await dropPrefix(redis, prefix)
      await redis.quit()
    })
    const shop = await startShop({
      redisUrl,
      prefix,
      apiInstances: 1,
      workers: 1,
      flagsToken: 'slo-test-token',
      flagsResyncIntervalMs: 500,
    })
    cleanup.push(() => shop.close())
    const prometheus = await startPrometheus({
      targets: [...shop.apiUrls, ...shop.workerMetricsUrls],
      rules: text,
      scrapeIntervalMs: 500,
      evaluationIntervalMs: 500,
    })
    cleanup.push(() => prometheus.stop())
    const traffic = startTraffic({
      targets: shop.apiUrls,
      ratePerSecond: 40,
      generator: createOrderGenerator({ seed: 3, couponShare: 0, itemsPerOrder: { min: 1, max: 2 } }),
      clock: systemClock,
      intervalMs: 250,
      timeoutMs: 2000,
    })
    cleanup.push(() => traffic.stop())

    const until = async <T>(
      what: string,
      probe: () => Promise<T | undefined>,
      timeoutMs = 20_000,
    ): Promise<T> => {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        // A busy machine may keep Prometheus from answering one probe: the next one asks again.
        const found = await probe().catch(() => undefined)
        if (found !== undefined) return found
        if (Date.now() > deadline) {
          const targets = (await (await fetch(`${prometheus.url}/api/v1/targets`)).json()) as {
            data: { activeTargets: { scrapeUrl: string; lastError: string }[] }
          }
          const scrapes = targets.data.activeTargets.map((t) => `${t.scrapeUrl}: ${t.lastError || 'ok'}`)
          throw new Error(`timed out waiting for ${what}; scrapes: ${scrapes.join('; ')}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    // Clean traffic first: every rule evaluates without error, and nothing fires.
    await until('every rule evaluated', async () => {
      const health = await prometheusRuleHealth(prometheus)
      return health.length === 18 && health.every((r) => r.health === 'ok') ? health : undefined
    })
    await new Promise((resolve) => setTimeout(resolve, 2000))
    expect(
      (await prometheusAlerts(prometheus)).filter((a) => a.labels.slo === 'orders-availability'),
    ).toEqual([])

    const switchedAt = Date.now()
    await new FlagsHttpClient({ baseUrl: shop.flagsUrl, token: 'slo-test-token', actor: 'test' }).set(
      'checkout.accepting-orders',
      OFF,
      'game day: orders paused',
    )
    const alert = await until('fast-burn firing on orders-availability', async () =>
      (await prometheusAlerts(prometheus)).find(
        (a) =>
          a.labels.alertname === 'fast-burn' &&
          a.labels.slo === 'orders-availability' &&
          a.state === 'firing',
      ),
    )
    expect(alert.labels).toMatchObject({ severity: 'page', slo: 'orders-availability' })
    expect(Date.parse(alert.activeAt)).toBeGreaterThan(switchedAt)
  }, 90_000)
})
