import { parseArgs } from 'node:util'
import { runKillPattern } from './kill-pattern.ts'
import { KILL_PATTERN_PRESETS } from './kill-pattern-presets.ts'

/**
 * Runs one kill pattern and prints its report as JSON; exits 0 when nothing was lost, charged twice, failed
 * after a charge, paid without a charge or left pending, 1 otherwise (or when the pattern could not run),
 * 2 for bad arguments.
 *
 *   node --import tsx services/worker/testing/kill-pattern-main.ts [--preset harsh|default]
 *     [--orders N] [--kills N] [--seed N] [--redis URL]
 */
async function main(argv: string[]): Promise<number> {
  let values: { preset: string; orders?: string; kills?: string; seed?: string; redis: string }
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        preset: { type: 'string', default: 'harsh' },
        orders: { type: 'string' },
        kills: { type: 'string' },
        seed: { type: 'string' },
        redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      },
      strict: true,
    }))
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    return 2
  }
  const preset = KILL_PATTERN_PRESETS[values.preset as keyof typeof KILL_PATTERN_PRESETS]
  if (preset === undefined) {
    process.stderr.write(`--preset must be one of ${Object.keys(KILL_PATTERN_PRESETS).join(', ')}.\n`)
    return 2
  }
  const overrides: Record<string, number> = {}
  for (const name of ['orders', 'kills', 'seed'] as const) {
    const raw = values[name]
    if (raw === undefined) continue
    if (!/^\d{1,6}$/.test(raw)) {
      process.stderr.write(`--${name} must be a whole number (got ${JSON.stringify(raw)}).\n`)
      return 2
    }
    overrides[name] = Number(raw)
  }
  const report = await runKillPattern({ ...preset, ...overrides, redisUrl: values.redis })
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  const bad = report.lost + report.doubleCharges + report.chargedButFailed + report.pending
  return bad + report.paidWithoutCharge === 0 ? 0 : 1
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  },
)
