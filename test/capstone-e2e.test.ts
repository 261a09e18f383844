import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { GradeReport } from '../capstone/grade/grade-result.ts'
import { eventsOf } from '../record/journal/journal-event.ts'
import { readJournal } from '../record/journal/read-journal.ts'
import { parseJunit } from '../record/junit/parse-junit.ts'
import type { DrillSummary } from '../simulator/drill/drill-summary.ts'
import { quickScenario } from './support/quick-scenario.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'
import { repositoryState } from './support/repository-state.ts'
import { type CliResult, spawnCli } from './support/run-cli.ts'

// Whole drills are the suite's slowest tests, so each one here serves several checks: the command line's own
// (`run --ci --junit`, `report --junit`), each scenario's story and replay, and the capstone's grade of them.

const work = await mkdtemp(join(tmpdir(), 'firedrill-capstone-e2e-'))
afterAll(() => rm(work, { recursive: true, force: true }))

const FLAG = 'checkout.new-pricing'
// The contract-break steady state reads the fulfilment SLO, whose events are orders settled: a longer window than
// the quick scenario's 2 s keeps enough of them in it on a busy machine.
const CONTRACT_BREAK_QUICK = {
  traffic: { ratePerSecond: 40 },
  steadyState: { durationSeconds: 3, minRequests: 20 },
}

/** The command line as the student types it, from the capstone directory. */
async function student(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return spawnCli(args, { REDIS_URL: testRedisUrl(), ...env }, { cwd }).done
}

const runDirOf = (summary: DrillSummary) => summary.journal.replace(/\/journal\.jsonl$/, '')

async function junitCases(file: string) {
  const parsed = parseJunit(await readFile(file, 'utf8'))
  if (!parsed.ok) throw new Error(`${file}: ${parsed.reason}`)
  return parsed.cases
}

describe('the capstone, end to end', () => {
  it('init, the drills a student runs (as CI checks), their --again runs and the contract drill: grade passes every acceptance criterion and the contract drill, and changes nothing', async () => {
    const capstone = join(work, 'capstone')
    expect((await student(work, ['init', capstone])).code).toBe(0)

    // A fresh capstone lists what is missing, each with its command.
    const fresh = await student(capstone, ['grade', '--json', '--no-demo'])
    expect(fresh.code).toBe(1)
    const freshReport = JSON.parse(fresh.stdout) as GradeReport
    const missing = freshReport.criteria.filter((c) => c.kind === 'acceptance')
    expect(missing.every((c) => c.status === 'not-yet' && c.next.length > 0)).toBe(true)
    expect(freshReport.criteria.find((c) => c.id === 'contract-drill')?.next).toEqual([
      'npx firedrill run --scenario contract-break',
    ])

    // The bad-pricing drill (time compressed), run as a CI check: JSON summary, JUnit, the job summary.
    const scenario = await quickScenario()
    const junit = join(work, 'reports', 'drill.xml')
    const stepSummary = join(work, 'step-summary.md')
    await writeFile(stepSummary, '# earlier step\n')
    const first = await student(
      capstone,
      ['run', '--scenario', scenario, '--ci', '--junit', junit, '--json'],
      {
        GITHUB_STEP_SUMMARY: stepSummary,
      },
    )
    expect(first.code, first.stderr.slice(-3000)).toBe(0)
    expect(first.stderr).toContain('release step 1')
    const summary = JSON.parse(first.stdout) as DrillSummary
    const runDir = runDirOf(summary)
    expect(summary).toMatchObject({ seed: 42, status: 'recovered', loopClosed: true, flagClosedOut: true })
    expect(summary.verify).toMatchObject({ holds: true, loop: { holds: true, blockedBy: ['unit-tests'] } })
    for (const key of [
      'releasedAt',
      'firstErrorAt',
      'detectedAt',
      'acknowledgedAt',
      'mitigatedAt',
      'recoveredAt',
    ] as const)
      expect(summary.timings[key], key).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    for (const key of ['mttdMs', 'mttaMs', 'mttmMs', 'mttrMs'] as const)
      expect(summary.timings[key], key).toBeGreaterThan(0)
    expect(summary.postmortem.markdown).toBe(join(runDir, 'postmortem.md'))

    // Its checks: every phase's exit checks, the incident and the loop, all green for a run that exits 0.
    const cases = await junitCases(junit)
    expect(cases.filter((c) => c.status !== 'passed')).toEqual([])
    for (const name of [
      'the change reaches production dark, through the gate',
      'the damage is detected by an SLO burn-rate alert',
      'the responder is paged and acknowledges',
      'the responder mitigates',
      'the service recovers',
      'the fix merges through the gate',
      'the replayed bad change is blocked by the gate',
      `the release flag ${FLAG} is closed out`,
    ])
      expect(cases.map((c) => c.name)).toContain(name)
    expect(cases.length).toBeGreaterThan(12)
    const step = await readFile(stepSummary, 'utf8')
    expect(step).toMatch(/^# earlier step\n### firedrill drill .* recovered: ✅ passed\n/)
    expect(step).toContain(
      '| PASS | loop | the replayed bad change is blocked by the gate | blocked by unit-tests |',
    )
    // The same checks again, from the journal alone.
    const rebuilt = join(work, 'reports', 'rebuilt.xml')
    expect((await student(capstone, ['report', runDir, '--junit', rebuilt])).code).toBe(0)
    expect((await junitCases(rebuilt)).map((c) => [c.name, c.status])).toEqual(
      cases.map((c) => [c.name, c.status]),
    )

    const again = await student(capstone, ['run', '--again', runDir, '--json'])
    expect(again.code, again.stderr.slice(-3000)).toBe(0)
    expect(JSON.parse(again.stdout).status).toBe('prevented')

    // The contract drill: the order record renamed under workers on the previous build.
    const contractScenario = await quickScenario(CONTRACT_BREAK_QUICK, 'contract-break')
    const contract = await student(capstone, ['run', '--scenario', contractScenario, '--json'])
    expect(contract.code, contract.stderr.slice(-3000)).toBe(0)
    const contractSummary = JSON.parse(contract.stdout) as DrillSummary
    const contractDir = runDirOf(contractSummary)
    const { events } = await readJournal(contractSummary.journal)
    expect(contractSummary.status).toBe('recovered')
    // The workers were left on the build before the change, as the scenario chose, and the journal says so.
    const workerSteps = eventsOf(events, 'deploy.step').filter((e) => e.data.step.startsWith('workers-'))
    expect(workerSteps.map((e) => e.data.step)).toEqual(['workers-kept'])
    expect(workerSteps[0]?.data.detail).toContain('release.workers: keep')
    // Checkout kept answering: no request failed. The orders the new path priced were never paid.
    expect(contractSummary.impact.failedRequests).toBe(0)
    expect(contractSummary.slos.find((s) => s.slo === 'orders-paid')?.bad).toBeGreaterThan(0)
    expect(contractSummary.slos.find((s) => s.slo === 'orders-availability')?.bad).toBe(0)
    expect(eventsOf(events, 'alert.fired')[0]?.data.slo).toBe('orders-paid')
    expect(eventsOf(events, 'mitigation.applied')[0]?.data).toMatchObject({ flag: FLAG, action: 'flag off' })
    // The fix (expand/contract and the contract test) merged; the replay is stopped by the contract test alone.
    expect(eventsOf(events, 'fix.merged')[0]?.data).toMatchObject({
      actionItem: 'AI-1',
      gate: { green: true },
    })
    expect(eventsOf(events, 'replay.gated')[0]?.data).toMatchObject({
      green: false,
      blockedBy: ['contract-tests'],
    })
    expect(contractSummary.loopClosed).toBe(true)
    // The close-out closes its own item.
    expect(contractSummary.flagClosedOut).toBe(true)
    const postmortem = JSON.parse(await readFile(contractSummary.postmortem.json, 'utf8')) as {
      actionItems: { id: string; title: string; status: string }[]
    }
    const retire = postmortem.actionItems.find((i) => i.title.startsWith(`Retire the flag ${FLAG}`))
    expect(retire).toMatchObject({ status: 'done' })
    expect(eventsOf(events, 'cleanup.merged')[0]?.data.actionItem).toBe(retire?.id)
    // The postmortem tells this story, not the coupon one.
    const markdown = await readFile(contractSummary.postmortem.markdown, 'utf8')
    expect(markdown).toContain('totalCents renamed to amountDueCents')
    expect(markdown).toMatch(
      /SLO orders-paid \(orders paid or deliberately deferred within 5 s of entering the fulfilment queue\): \d+ of \d+ events bad/,
    )
    expect(markdown).not.toContain('coupon code the catalog does not know')
    // The same workload on the trunk the loop left: the gate refuses the change by its contract test.
    const contractAgain = await student(capstone, ['run', '--again', contractDir, '--json'])
    expect(contractAgain.code, contractAgain.stderr.slice(-3000)).toBe(0)
    expect(JSON.parse(contractAgain.stdout).status).toBe('prevented')
    const againEvents = (await readJournal(JSON.parse(contractAgain.stdout).journal)).events
    expect(eventsOf(againEvents, 'change.refused')[0]?.data.blockedBy).toContain('contract-tests')
    expect(eventsOf(againEvents, 'alert.fired')).toEqual([])

    // Grading: every acceptance criterion passes, the contract drill counts, and nothing graded changes.
    const repositories = [capstone, join(runDir, 'sandbox'), join(contractDir, 'sandbox')]
    const before = await Promise.all(repositories.map(repositoryState))
    const graded = await student(capstone, ['grade', '--json'])
    const report = JSON.parse(graded.stdout) as GradeReport
    const acceptance = report.criteria.filter((c) => c.kind === 'acceptance')
    expect(
      acceptance.map((c) => [c.id, c.status]),
      JSON.stringify(
        acceptance.map((c) => ({ id: c.id, summary: c.summary, evidence: c.evidence })),
        null,
        1,
      ),
    ).toEqual(acceptance.map((c) => [c.id, 'pass']))
    expect(report.criteria.find((c) => c.id === 'contract-drill')).toMatchObject({ status: 'pass' })
    expect(report.criteria.find((c) => c.id === 'test-stops-bad-change')).toMatchObject({ status: 'pass' })
    expect(graded.code).toBe(0)
    expect(report.points).toBe(100)
    expect(await Promise.all(repositories.map(repositoryState))).toEqual(before)
  }, 900_000)
})
