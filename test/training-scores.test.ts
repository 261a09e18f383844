import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { type AddressInfo, createServer } from 'node:net'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { JournalBuilder } from '../record/journal/journal-builder.ts'
import { SCENARIO_CATALOG_DIR } from '../record/scenario/scenario-catalog.ts'
import { testRedisUrl } from './support/redis-sandbox.ts'
import { runCliInProcess, spawnCli } from './support/run-cli.ts'

const FLAG = 'checkout.new-pricing'
let runs: string

/** A run directory as a drill leaves it: the journal, and the scenario copied beside it. */
async function handMadeRun(
  name: string,
  trainee: string,
  options: { ackMs: number; mitigateMs: number; decoys?: number; responder?: 'bot' | 'human'; seed?: number },
) {
  const j = new JournalBuilder().started(name, {
    flag: FLAG,
    scenario: 'bad-pricing',
    responder: options.responder ?? 'human',
    seed: options.seed ?? 42,
  })
  j.at(60_000).add('page.sent', { alert: 'fast-burn', to: trainee, channel: 'alertmanager-webhook' })
  j.at(60_000 + options.ackMs).add('page.acknowledged', { alert: 'fast-burn', by: trainee })
  for (let i = 0; i < (options.decoys ?? 0); i++)
    j.at(60_000 + options.ackMs + 1).add('responder.flag-set', {
      by: trainee,
      flag: 'checkout.gift-messages',
      turned: 'off',
      from: 'on',
      to: 'off',
      reason: 'ruling it out',
    })
  j.at(60_000 + options.mitigateMs).add('mitigation.applied', {
    action: 'flag off',
    flag: FLAG,
    by: trainee,
    reason: 'errors since its rollout',
  })
  const dir = join(runs, name)
  await mkdir(dir, { recursive: true })
  await cp(join(SCENARIO_CATALOG_DIR, 'bad-pricing'), join(dir, 'scenario'), { recursive: true })
  await writeFile(
    join(dir, 'journal.jsonl'),
    j
      .build()
      .map((e) => JSON.stringify(e))
      .join('\n')
      .concat('\n'),
  )
}

beforeAll(async () => {
  runs = await mkdtemp(join(tmpdir(), 'firedrill-scores-'))
  await handMadeRun('run-a', 'ana', { ackMs: 5_000, mitigateMs: 40_000, decoys: 1 })
  await handMadeRun('run-b', 'bo', { ackMs: 4_000, mitigateMs: 30_000 })
  await handMadeRun('run-c', 'cy', { ackMs: 50_000, mitigateMs: 100_000 })
  await handMadeRun('run-d', 'dee', { ackMs: 1_000, mitigateMs: 2_000, seed: 7 })
  await handMadeRun('run-bot', 'responder-bot', { ackMs: 3_000, mitigateMs: 4_000, responder: 'bot' })
})

describe('firedrill scores', () => {
  it('ranks trainee runs best first within one scenario and seed, leaving bot runs out', async () => {
    const { code, stdout } = await runCliInProcess(['scores', '--runs', runs, '--json'])
    expect(code).toBe(0)
    const board = JSON.parse(stdout) as {
      groups: { scenario: string; seed: number; entries: { trainee: string; points: number }[] }[]
    }
    expect(board.groups.map((g) => [g.scenario, g.seed])).toEqual([
      ['bad-pricing', 7],
      ['bad-pricing', 42],
    ])
    const main = board.groups[1]!.entries
    // ana was quicker than cy, but her first flag action turned another team's flag off.
    expect(main.map((e) => e.trainee)).toEqual(['bo', 'cy', 'ana'])
    expect(main[0]!.points).toBeGreaterThan(main[1]!.points)
    expect(main[1]!.points).toBeGreaterThan(main[2]!.points)
  })

  it('prints a leaderboard a person can read, and says so when there are no trainee runs', async () => {
    const { code, stdout } = await runCliInProcess(['scores', '--runs', runs, '--scenario', 'bad-pricing'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/bad-pricing, seed 42: 3 run\(s\)\n\s+1\.\s+85\s+bo\s/)
    const empty = await runCliInProcess(['scores', '--runs', runs, '--scenario', 'latency-regression'])
    expect(empty.stdout).toMatch(/^No trainee runs of latency-regression under /)
  })

  it('refuses a bad train invocation with exit 2, naming the option and the fix', async () => {
    const trainee = await runCliInProcess(['train', '--trainee', '<script>'])
    expect(trainee.code).toBe(2)
    expect(trainee.stderr).toMatch(/--trainee must be a name of 1 to 64 letters/)
    expect(trainee.stderr).not.toMatch(/\n\s+at /)
    const port = await runCliInProcess(['train', '--port', '99999'])
    expect(port.code).toBe(2)
    expect(port.stderr).toMatch(/--port must be an integer from 1 to 65535 \(got "99999"\)/)
    const trainees = await runCliInProcess(['train', '--trainees', '9'])
    expect(trainees.code).toBe(2)
    expect(trainees.stderr).toMatch(/--trainees must be an integer from 1 to 8 \(got "9"\)/)
    // Loading the train command loads the drill: slow on a busy machine.
  }, 60_000)

  it('opens the facilitator page with --open, and says to open it by hand when the opener fails', async () => {
    // Stand-in openers first on PATH: one records the URL it was given, one fails as xdg-open does with no browser.
    const bin = await mkdtemp(join(tmpdir(), 'firedrill-opener-'))
    const opened = join(bin, 'opened')
    const train = async (opener: string) => {
      await writeFile(join(bin, 'xdg-open'), opener, { mode: 0o755 })
      await writeFile(join(bin, 'open'), opener, { mode: 0o755 })
      const cli = spawnCli(['train', '--open'], {
        REDIS_URL: testRedisUrl(),
        PATH: `${bin}:${process.env.PATH}`,
      })
      let said = ''
      cli.child.stderr.on('data', (chunk: Buffer) => {
        said += chunk.toString()
      })
      const answered = () => cli.child.exitCode !== null || /could not open a browser|opened the/.test(said)
      await expect.poll(answered, { timeout: 30_000 }).toBe(true)
      // Nobody approves the plan: Ctrl-C ends the drill before anything changed.
      cli.child.kill('SIGINT')
      return cli.done
    }
    const ok = await train(`#!/bin/sh\necho "$1" > ${opened}\n`)
    expect(ok.stderr).toContain('firedrill: opened the facilitator page in your browser')
    const facilitatorUrl = /facilitator: +(\S+)/.exec(ok.stderr)?.[1]
    expect(await readFile(opened, 'utf8')).toBe(`${facilitatorUrl}\n`)
    const failed = await train('#!/bin/sh\nexit 3\n')
    expect(failed.stderr).toContain(
      'firedrill: could not open a browser (xdg-open ended with exit code 3); open the facilitator URL above by hand',
    )
  }, 90_000)

  it('tidies after a crashed run before it starts, and refuses a console port in use with exit 2', async () => {
    // A run whose process is gone: its journal never got its last word.
    const cwd = await mkdtemp(join(tmpdir(), 'firedrill-train-cwd-'))
    const dead = spawn(process.execPath, ['-e', ''])
    await once(dead, 'exit')
    const crashed = join(cwd, '.firedrill', 'runs', 'crashed-run')
    await mkdir(crashed, { recursive: true })
    const journal = join(crashed, 'journal.jsonl')
    const started = new JournalBuilder().started('crashed-run', {
      process: { pid: dead.pid!, host: hostname() },
    })
    await writeFile(journal, `${JSON.stringify(started.build()[0])}\n`)
    const holder = createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    const held = (holder.address() as AddressInfo).port
    try {
      const train = await spawnCli(['train', '--port', String(held)], { REDIS_URL: testRedisUrl() }, { cwd })
        .done
      expect(train.code).toBe(2)
      expect(train.stderr).toContain(
        `The console cannot listen on 127.0.0.1:${held} (another process holds it)`,
      )
      expect(train.stderr).not.toMatch(/\n\s+at /)
      expect(train.stderr).toMatch(/run crashed-run crashed: the drill's process \(pid \d+/)
      expect(await readFile(journal, 'utf8')).toContain('"condition":"crashed"')
    } finally {
      holder.close()
    }
  }, 60_000)
})
