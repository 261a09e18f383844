import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadTarget } from '../record/target/load-target.ts'
import type { MonitoringProcess } from '../simulator/detection/testing/start-monitoring-process.ts'
import { startPrometheus } from '../simulator/detection/testing/start-prometheus.ts'
import { flipWithCommand } from '../simulator/target/flip-with-command.ts'
import { readOfrepFlag } from '../simulator/target/read-ofrep-flag.ts'
import { TargetDrillErrorCode } from '../simulator/target/target-errors.ts'
import { startTemplateTraffic } from '../simulator/traffic/start-template-traffic.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { BIN, runCliInProcess, spawnCli } from './support/run-cli.ts'
import {
  SHOP_TARGET_EXAMPLE as EXAMPLE,
  type ServedShop,
  serveShop,
  shopTargetFor,
} from './support/served-shop.ts'

const TOKEN = 'target-check-token'

async function check(
  file: string,
  env: Record<string, string | undefined> = { FIREDRILL_FLAGS_TOKEN: TOKEN },
) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
  for (const [k, v] of Object.entries(env))
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  try {
    return await runCliInProcess(['target', 'check', file])
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
  }
}

/** Resolves once `holds()` does, checking every 20 ms; fails after 15 s rather than hang. */
async function until(holds: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000
  while (!holds()) {
    if (Date.now() > deadline) throw new Error('condition never held')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The check lines of `target check`'s output, as `PASS name` / `FAIL name`. */
function verdicts(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => /^\s+(PASS|FAIL)\s/.test(l))
    .map((l) => l.trim().replace(/^(PASS|FAIL)\s+([^:]+?)(?: http\S*)?:.*$/, '$1 $2'))
}

// A served shop is three node processes: several seconds to start on a busy two-core machine.
describe('firedrill target check against a served shop', { timeout: 60_000 }, () => {
  let shop: ServedShop
  beforeAll(async () => {
    shop = await serveShop(TOKEN)
  }, 60_000)
  afterAll(async () => {
    await shop?.stop()
  })

  it("passes every check of the example target, and changes nothing (the flag's audit log stays empty)", async () => {
    const { code, stdout } = await check(await shopTargetFor(shop))
    expect(verdicts(stdout)).toEqual([
      'PASS health',
      'PASS readiness',
      'PASS health',
      'PASS readiness',
      'PASS metrics',
      'PASS metrics',
      'PASS time scale',
      'PASS flag readable',
      'PASS flag writable',
    ])
    expect(stdout).toContain('target shop: ready')
    expect(stdout).toContain('time scale 1/75')
    expect(code).toBe(0)
    const audit = (await (await fetch(`${shop.flags}/flags/audit`)).json()) as { entries: unknown[] }
    expect(audit.entries).toEqual([])
  })

  it("sends the example's request template to the served shop, and the shop takes the orders", async () => {
    const loaded = await loadTarget(await shopTargetFor(shop))
    const traffic = loaded.target.traffic
    if (traffic.kind !== 'template') throw new Error('the example target has no request template')
    const run = startTemplateTraffic({
      targets: loaded.instances,
      ratePerSecond: traffic.ratePerSecond,
      request: traffic.request,
      seed: 42,
      timeoutMs: 5000,
    })
    await until(() => run.summary().requests >= 10)
    const summary = await run.stop()
    const answered = Object.entries(summary.byStatus)
    expect(
      answered.every(([status]) => /^2\d\d$/.test(status)),
      JSON.stringify(summary.byStatus),
    ).toBe(true)
    expect(answered.reduce((sum, [, n]) => sum + n, 0)).toBe(summary.requests)
  })

  it('fails, exit 1, on a wrong token, a histogram the service does not expose and an instance that is not there', async () => {
    const file = await shopTargetFor(shop, (text) =>
      text
        .replace('histogram: http_request_duration_seconds', 'histogram: request_latency_seconds')
        .replace(shop.apis[1]!, 'http://127.0.0.1:9'),
    )
    const { code, stdout } = await check(file, { FIREDRILL_FLAGS_TOKEN: 'not-the-token' })
    expect(code).toBe(1)
    expect(verdicts(stdout)).toEqual([
      'PASS health',
      'PASS readiness',
      'FAIL health',
      'FAIL readiness',
      'FAIL metrics',
      'FAIL metrics',
      'PASS time scale',
      'PASS flag readable',
      'FAIL flag writable',
    ])
    expect(stdout).toContain('no histogram "request_latency_seconds" (slis.histogram); histograms exposed: ')
    expect(stdout).toContain('http://127.0.0.1:9/healthz is not reachable')
    expect(stdout).toContain('the flag service refused the token in FIREDRILL_FLAGS_TOKEN')
    expect(stdout).toContain('not ready (5 of 9 checks failed)')
  })

  it("checks the team's detector: the pager's port for its Alertmanager free, its Prometheus answering", async () => {
    // Something else holds the port the team's Alertmanager would post to.
    const holder = createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    const { port } = holder.address() as { port: number }
    try {
      const held = await shopTargetFor(
        shop,
        (text) => `${text}detection:\n  kind: alertmanager\n  listen: 127.0.0.1:${port}\n`,
      )
      const refused = await check(held)
      expect(refused.code).toBe(1)
      expect(verdicts(refused.stdout)).toContain('FAIL detector')
      expect(refused.stdout).toContain(`127.0.0.1:${port} (detection.listen) is in use`)
      const gone = await shopTargetFor(
        shop,
        (text) => `${text}detection:\n  kind: prometheus\n  url: http://127.0.0.1:9\n`,
      )
      const unreachable = await check(gone)
      expect(unreachable.code).toBe(1)
      expect(verdicts(unreachable.stdout)).toContain('FAIL detector')
    } finally {
      await new Promise((resolve) => holder.close(resolve))
    }
    // Once the port is free, the same target is ready.
    const free = await shopTargetFor(
      shop,
      (text) => `${text}detection:\n  kind: alertmanager\n  listen: 127.0.0.1:${port}\n`,
    )
    expect(verdicts((await check(free)).stdout)).toContain('PASS detector')
  })

  it('reads the flag over OFREP and finds the flip command, or names the program it cannot find', async () => {
    const ofrep = (program: string) => (text: string) =>
      text.replace(
        / {2}source:\n(?: {4}.*\n)+/,
        `  source:\n    kind: ofrep\n    url: ${shop.flags}\n    flip: ['${program}', '{flag}', '{variant}']\n`,
      )
    const found = await check(await shopTargetFor(shop, ofrep('true')))
    expect(found.stderr).toBe('')
    expect(found.stdout).toMatch(/PASS {2}flag readable: checkout\.new-pricing evaluates to off/)
    expect(found.stdout).toMatch(/PASS {2}flag writable: flip runs \/\S+\/true/)
    expect(found.code).toBe(0)
    const missing = await check(await shopTargetFor(shop, ofrep('no-such-flipper')))
    expect(missing.stdout).toContain(`FAIL  flag writable: the flip command's program "no-such-flipper"`)
    expect(missing.code).toBe(1)
  })

  it('reads the flag from a flagd flags file, and refuses a file without it', async () => {
    const withFile = async (flags: object) => {
      const file = await shopTargetFor(shop, (text) =>
        text.replace(
          / {2}source:\n(?: {4}.*\n)+/,
          '  source:\n    kind: flagd\n    file: flags/flags.json\n',
        ),
      )
      const dir = join(file, '..', 'flags')
      await import('node:fs/promises').then((fs) => fs.mkdir(dir))
      await writeFile(join(dir, 'flags.json'), JSON.stringify(flags))
      return file
    }
    const shopFlags = join(import.meta.dirname, '..', 'services', 'flags', 'flags.json')
    const good = await check(await withFile(JSON.parse(await readFile(shopFlags, 'utf8'))))
    expect(good.stdout).toMatch(/PASS {2}flag readable: checkout\.new-pricing is off in \S+flags\.json/)
    expect(good.stdout).toMatch(/PASS {2}flag writable: \S+flags\.json and its folder are writable/)
    expect(good.code).toBe(0)
    const without = await check(await withFile({ flags: {} }))
    expect(without.stdout).toContain('FAIL  flag readable: no flag "checkout.new-pricing" in')
    expect(without.code).toBe(1)
  })

  it("asks the team's Prometheus for its PromQL, and names a query it refuses", async () => {
    let prometheus: MonitoringProcess | undefined
    try {
      prometheus = await startPrometheus({
        targets: shop.apis,
        rules: 'groups: []\n',
        scrapeIntervalMs: 250,
        evaluationIntervalMs: 1000,
      })
      const prom = (errors: string) => (text: string) =>
        text.replace(
          /slis:\n(?: {2}.*\n)+/,
          `slis:\n  kind: prometheus\n  url: ${prometheus!.url}\n  scrapeInterval: 15s\n` +
            `  errors: '${errors}'\n  total: 'sum(rate(http_requests_total[$window]))'\n`,
        )
      // Prometheus needs two scrapes before rate() answers: wait for them (bounded), not for a fixed time.
      const query = `${prometheus.url}/api/v1/query?query=${encodeURIComponent('sum(rate(http_requests_total[5m]))')}`
      const deadline = Date.now() + 20_000
      for (;;) {
        const body = (await (await fetch(query)).json()) as { data: { result: unknown[] } }
        if (body.data.result.length > 0) break
        if (Date.now() > deadline) throw new Error('Prometheus never scraped the shop')
        await new Promise((r) => setTimeout(r, 250))
      }
      const good = await check(
        await shopTargetFor(shop, prom('sum(rate(http_requests_total{status_code=~"5.."}[$window]))')),
      )
      expect(verdicts(good.stdout)).toContain('PASS promql errors')
      expect(verdicts(good.stdout)).toContain('PASS promql total')
      // 15 s scrapes: the 5m window holds 4 of them only at 1/5, and 6h then lasts 1h12m, past the hour a drill may take.
      expect(good.stdout).toContain(
        'FAIL  time scale: At a 15s scrape interval the shortest window, 5m, needs a time scale of at least 1/5',
      )
      expect(good.code).toBe(1)
      const bad = await check(await shopTargetFor(shop, prom('sum(rate(http_requests_total[$window])')))
      expect(bad.stdout).toMatch(/FAIL {2}promql errors: slis\.errors was refused: .*parse error/)
    } finally {
      await prometheus?.stop()
    }
  })

  // Last: it changes the served shop's flag (and puts it back).
  it("flips the flag with the target's own command and reads it back over OFREP; a failing command says how", async () => {
    const flip = (argv: string[]) => (text: string) =>
      text.replace(
        / {2}source:\n(?: {4}.*\n)+/,
        `  source:\n    kind: ofrep\n    url: ${shop.flags}\n    flip: ${JSON.stringify(argv)}\n`,
      )
    // The served shop's own command line is the flip command a team would write for it.
    const command = [
      process.execPath,
      BIN,
      'flags',
      'set',
      '{flag}',
      '{variant}',
      '--reason',
      'game day',
      '--flags-url',
      shop.flags,
    ]
    const loaded = await loadTarget(await shopTargetFor(shop, flip(command)))
    const env = { ...process.env, FIREDRILL_FLAGS_TOKEN: TOKEN, LOG_LEVEL: 'silent' }
    const read = () => readOfrepFlag(shop.flags, 'checkout.new-pricing', 2000)
    expect(await read()).toMatchObject({ variant: 'off' })
    try {
      await flipWithCommand(loaded, 'on', { env })
      expect(await read()).toMatchObject({ variant: 'on' })
    } finally {
      await flipWithCommand(loaded, 'off', { env })
    }
    expect(await read()).toMatchObject({ variant: 'off' })

    const refused = flipWithCommand(loaded, 'on', { env: { ...env, FIREDRILL_FLAGS_TOKEN: 'wrong' } })
    await expect(refused).rejects.toMatchObject({ code: TargetDrillErrorCode.FLIP_COMMAND_FAILED })
    await expect(refused).rejects.toThrow(
      /--reason "game day" .* exited 2: .*refused the token in FIREDRILL_FLAGS_TOKEN\. Use the token/,
    )
    const missing = await loadTarget(await shopTargetFor(shop, flip(['./no-such-flip.sh', '{flag}'])))
    await expect(flipWithCommand(missing, 'on')).rejects.toThrow(/could not start \(ENOENT\)/)
    expect(await read()).toMatchObject({ variant: 'off' })
  })
})

describe('firedrill target check --scenario', () => {
  it("fits the time scale to the scenario's own windows", async () => {
    const scenario = await quickScenario({
      detection: {
        scrapeIntervalMs: 10,
        evaluationIntervalMs: 10,
        rules: [{ name: 'fast', longWindow: '30m', shortWindow: '2m', burnRate: 10 }],
      },
    })
    const dir = await mkdtemp(join(tmpdir(), 'firedrill-target-scenario-'))
    const file = join(dir, 'target.yaml')
    // Nothing listens on ports 9, 10 and 11: the service checks fail, the time scale is judged all the same.
    const example = await readFile(EXAMPLE, 'utf8')
    await writeFile(file, example.replace(':3000', ':9').replace(':3001', ':10').replace(':3100', ':11'))
    const { code, stdout, stderr } = await runCliInProcess(['target', 'check', file, '--scenario', scenario])
    expect(stderr).toBe('')
    expect(code).toBe(1)
    expect(stdout).toContain(
      'PASS  slos measurable: orders-availability (availability) from http_request_duration_seconds',
    )
    // 2m at a 1 s scrape interval holds 4 scrapes at 1/30; 30m then lasts 1m.
    expect(stdout).toContain(
      'PASS  time scale: time scale 1/30: the 2m window lasts 4s (4 scrapes at 1s), the 30m window lasts 1m of drill time',
    )
  })

  it('fails when the scenario has an SLO the target cannot measure', async () => {
    const scenario = await quickScenario({
      slo: { indicators: [{ name: 'orders-paid', sli: 'fulfilment', deadline: '2s' }] },
    })
    const dir = await mkdtemp(join(tmpdir(), 'firedrill-target-scenario-'))
    const file = join(dir, 'target.yaml')
    const example = await readFile(EXAMPLE, 'utf8')
    await writeFile(file, example.replace(':3000', ':9').replace(':3001', ':10').replace(':3100', ':11'))
    const { code, stdout } = await runCliInProcess(['target', 'check', file, '--scenario', scenario])
    expect(code).toBe(1)
    expect(stdout).toContain(
      'FAIL  slos measurable: slis.histogram gives availability and latency SLIs; it cannot measure orders-paid (fulfilment)',
    )
  })
})

describe('firedrill target check with a bad target file', () => {
  it('exits 2 naming the file and the field, with no stack trace and nothing contacted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'firedrill-target-bad-'))
    const file = join(dir, 'target.yaml')
    await copyFile(EXAMPLE, file)
    await writeFile(file, (await readFile(file, 'utf8')).replace('kind: metrics', 'kind: metric'))
    const { code, stderr, stdout } = await spawnCli(['target', 'check', file]).done
    expect(code).toBe(2)
    expect(stderr).toContain(
      `${file}: slis.kind must be one of "metrics", "prometheus" (did you mean "metrics"?)`,
    )
    expect(stderr).not.toMatch(/\n\s+at /)
    expect(stdout).toBe('')
  })
})
