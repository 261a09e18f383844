import { provisionRedis } from '../services/platform/redis/redis-provisioner.ts'
import { drillInterrupted, drillKilled, drillRedisRestart } from './cases/drill-cases.ts'
import { forgedRecords } from './cases/forgery-case.ts'
import { privateRedisOutlives, serveSigtermRedisDown } from './cases/process-cases.ts'
import { workerKillsDefault, workerKillsHarsh } from './cases/worker-kill-cases.ts'
import { emptyRow, type FaultCase, type FaultRow, LOSS_COLUMNS } from './fault-case.ts'

/**
 * `npm run faults`: every fault the project names, injected into real processes and a real Redis, and one table
 * of what each cost. Every loss figure must be 0 (exit 0); any loss, or a case that could not run, exits 1.
 * `--quick` is the bounded version CI runs.
 */
const quick = process.argv.includes('--quick') || process.env.FAULTS_QUICK === '1'
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length)

const CASES: readonly FaultCase[] = [
  workerKillsHarsh,
  workerKillsDefault,
  drillKilled,
  drillInterrupted,
  drillRedisRestart,
  serveSigtermRedisDown,
  privateRedisOutlives,
  forgedRecords,
]

const redis = await provisionRedis()
const rows: FaultRow[] = []
let broken = 0
process.stdout.write(
  `firedrill faults${quick ? ' (quick)' : ''}  node ${process.version}  redis ${redis.url}\n\n`,
)
try {
  for (const fault of CASES) {
    if (only !== undefined && !fault.name.includes(only)) continue
    process.stderr.write(`faults: ${fault.name}…\n`)
    try {
      rows.push(await fault.run({ redisUrl: redis.url, quick }))
    } catch (err) {
      broken++
      rows.push(emptyRow(fault.name, `COULD NOT RUN: ${(err as Error).message}`))
    }
  }
} finally {
  await redis.stop()
}
process.stdout.write(`${table(rows)}\n`)
const losses = rows.filter((row) => LOSS_COLUMNS.some((column) => row[column] !== 0))
process.stdout.write(
  losses.length === 0 && broken === 0
    ? '\nevery loss figure is 0\n'
    : `\n${losses.length} case(s) with a loss, ${broken} that could not run\n`,
)
process.exit(losses.length === 0 && broken === 0 ? 0 : 1)

function table(rows: readonly FaultRow[]): string {
  const head = [
    'case',
    'lost',
    'double',
    'charged+failed',
    'flags on',
    'faults on',
    'forged',
    'procs left',
    's to safe',
    's to exit',
    'note',
  ]
  const seconds = (value: number | null) => (value === null ? '-' : value.toFixed(2))
  const body = rows.map((r) => [
    r.case,
    String(r.lostOrders),
    String(r.doubleCharges),
    String(r.chargedButFailed),
    String(r.flagsLeftOn),
    String(r.faultsLeftOn),
    String(r.forgedAccepted),
    String(r.processesLeft),
    seconds(r.secondsToSafe),
    seconds(r.secondsToExit),
    r.note,
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}
