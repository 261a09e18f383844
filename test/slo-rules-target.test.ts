import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import type { SlothSpec } from '../simulator/detection/rules/sloth-spec.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { runCliInProcess } from './support/run-cli.ts'

const exec = promisify(execFile)
const cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined)
})

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-slo-target-'))
  cleanup.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A target of a service that is not the shop: its own histogram, status and route label names. */
const QUOTES_METRICS = `
name: quotes
service: { url: http://127.0.0.1:8080 }
slis:
  kind: metrics
  histogram: quote_request_seconds
  statusLabel: code
  routeLabel: handler
  route: /quote
flags:
  flag: quotes.v2
  source: { kind: flagd, file: flags.json }
`

const QUOTES_PROMQL = `
name: quotes
service: { url: http://127.0.0.1:8080 }
slis:
  kind: prometheus
  url: http://prometheus:9090
  scrapeInterval: 15s
  errors: sum(rate(quote_requests_total{code=~"5.."}[$window]))
  total: sum(rate(quote_requests_total[$window]))
flags:
  flag: quotes.v2
  source: { kind: flagd, file: flags.json }
`

async function targetFile(text: string): Promise<string> {
  const file = join(await tempDir(), 'target.yaml')
  await writeFile(file, text)
  return file
}

async function promtoolAccepts(file: string): Promise<string> {
  const { stdout } = await exec('promtool', ['check', 'rules', file])
  return stdout
}

async function sloRules(...args: string[]) {
  const out = join(await tempDir(), 'rules.yml')
  const result = await runCliInProcess(['slo', 'rules', '--out', out, ...args])
  expect(result.code, result.stderr).toBe(0)
  return { file: out, text: await readFile(out, 'utf8') }
}

const AVAILABILITY_AND_LATENCY = {
  slo: {
    indicators: [
      { name: 'quotes-availability', sli: 'availability' },
      { name: 'quotes-latency', sli: 'latency', threshold: '250ms', objective: 0.95 },
    ],
  },
}

describe('firedrill slo rules --target', () => {
  it("writes the rules on a target's own metric and label names, and promtool accepts them", async () => {
    const scenario = await quickScenario(AVAILABILITY_AND_LATENCY)
    const { file, text } = await sloRules(
      '--scenario',
      scenario,
      '--target',
      await targetFile(QUOTES_METRICS),
    )
    expect(await promtoolAccepts(file)).toContain('SUCCESS: 12 rules found')
    expect(text).toContain('# Measured on target "quotes"')
    expect(text).toContain('sum(rate(quote_request_seconds_count{handler="/quote",code=~"5.."}[5m]))')
    expect(text).toContain('sum(rate(quote_request_seconds_bucket{handler="/quote",le="0.25"}[1h]))')
    expect(text).not.toMatch(/http_request|status_code|route=/)
  })

  it("writes the rules on a target's own PromQL, real or scaled, and as sloth queries", async () => {
    const scenario = await quickScenario()
    const target = await targetFile(QUOTES_PROMQL)
    const real = await sloRules('--scenario', scenario, '--target', target)
    expect(await promtoolAccepts(real.file)).toContain('SUCCESS: 6 rules found')
    expect(real.text).toContain(
      '(sum(rate(quote_requests_total{code=~"5.."}[6h])))\n          /\n          (sum(rate(quote_requests_total[6h])))',
    )
    const drill = await sloRules('--scenario', scenario, '--target', target, '--scale', 'drill')
    expect(await promtoolAccepts(drill.file)).toContain('SUCCESS: 6 rules found')
    // 6h at the scenario's 1/960 is 22.5 s.
    expect(drill.text).toContain('sum(rate(quote_requests_total[22s500ms]))')
    expect(drill.text.replace(/^# .*\n/m, '')).toBe(
      (await sloRules('--scenario', scenario, '--target', target, '--scaled')).text.replace(/^# .*\n/m, ''),
    )

    const sloth = parse(
      (await sloRules('--scenario', scenario, '--target', target, '--format', 'sloth')).text,
    ) as SlothSpec
    expect(sloth).toMatchObject({ version: 'prometheus/v1', service: 'quotes' })
    expect(sloth.slos).toHaveLength(1)
    expect(sloth.slos[0]).toMatchObject({
      name: 'orders-availability',
      objective: 99,
      sli: {
        events: {
          error_query: 'sum(rate(quote_requests_total{code=~"5.."}[{{.window}}]))',
          total_query: 'sum(rate(quote_requests_total[{{.window}}]))',
        },
      },
      alerting: {
        page_alert: { labels: { severity: 'page' } },
        ticket_alert: { labels: { severity: 'ticket' } },
      },
    })
    // sloth puts its window in: the queries are PromQL then.
    const check = join(await tempDir(), 'sloth-queries.yml')
    const { error_query, total_query } = sloth.slos[0]!.sli.events
    await writeFile(
      check,
      stringify({
        groups: [
          {
            name: 'sloth-queries',
            rules: [
              {
                record: 'sloth_check:quotes',
                expr: `(${error_query}) / (${total_query})`.replaceAll('{{.window}}', '5m'),
              },
            ],
          },
        ],
      }),
    )
    expect(await promtoolAccepts(check)).toContain('SUCCESS: 1 rules found')
  })

  it('refuses, exit 2 with the fix, what a target cannot measure and a scale it does not know', async () => {
    const paid = await quickScenario({
      slo: { indicators: [{ name: 'orders-paid', sli: 'fulfilment', deadline: '2s' }] },
    })
    const fulfilment = await runCliInProcess([
      'slo',
      'rules',
      '--scenario',
      paid,
      '--target',
      await targetFile(QUOTES_METRICS),
    ])
    expect(fulfilment.code).toBe(2)
    expect(fulfilment.stderr).toContain('maps only availability and latency SLIs (slis.histogram)')
    expect(fulfilment.stderr).toContain('orders-paid (fulfilment)')
    const two = await quickScenario(AVAILABILITY_AND_LATENCY)
    const promql = await runCliInProcess([
      'slo',
      'rules',
      '--scenario',
      two,
      '--target',
      await targetFile(QUOTES_PROMQL),
    ])
    expect(promql.code).toBe(2)
    expect(promql.stderr).toContain('has 2 SLOs. Pass a scenario with one SLO.')
    const scale = await runCliInProcess(['slo', 'rules', '--scale', 'hourly'])
    expect(scale.code).toBe(2)
    expect(scale.stderr).toContain('--scale must be real or drill (got "hourly")')
    const sloth = await runCliInProcess(['slo', 'rules', '--scale', 'drill', '--format', 'sloth'])
    expect(sloth.code).toBe(2)
    expect(sloth.stderr).toContain('needs --format prometheus')
    const badTarget = await runCliInProcess(['slo', 'rules', '--target', await targetFile('name: Quotes\n')])
    expect(badTarget.code).toBe(2)
    expect(badTarget.stderr).toMatch(/target\.yaml: name must be a name like checkout/)
    expect(badTarget.stderr).not.toMatch(/\n\s+at /)
  })
})
