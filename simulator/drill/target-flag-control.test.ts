import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { LoadedTarget } from '../../record/target/load-target.ts'
import { parseTarget } from '../../record/target/parse-target.ts'
import { targetFlagControl } from '../target/target-flag-control.ts'
import { targetLevers } from './responders/target-levers.ts'

/** An OFREP target whose flip command is a small script that appends its arguments to a file. */
async function ofrepTarget(
  flip: string[],
): Promise<{ loaded: LoadedTarget; calls: () => Promise<string[]> }> {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-flip-'))
  const log = join(dir, 'calls.txt')
  await writeFile(join(dir, 'flip.sh'), `#!/bin/sh\necho "$*" >> "${log}"\n`)
  await chmod(join(dir, 'flip.sh'), 0o755)
  const text = [
    'name: pricing',
    'service: { url: http://127.0.0.1:9 }',
    'slis: { kind: metrics, histogram: http_request_duration_seconds }',
    'flags:',
    '  flag: pricing.v2',
    `  source: { kind: ofrep, url: http://127.0.0.1:9, flip: ${JSON.stringify(flip)} }`,
    'dependencies:',
    '  - { name: tax, proxy: { url: http://127.0.0.1:9092 }, degradeSwitch: pricing.fixed-tax }',
  ].join('\n')
  const target = parseTarget(text, join(dir, 'target.yaml'))
  const loaded: LoadedTarget = {
    file: join(dir, 'target.yaml'),
    dir,
    target,
    instances: ['http://127.0.0.1:9'],
  }
  return {
    loaded,
    calls: async () => (await readFile(log, 'utf8')).trim().split('\n'),
  }
}

describe('an OFREP target with a flip command', () => {
  it('passes each canary step its share when the command takes {percent}', async () => {
    const { loaded, calls } = await ofrepTarget(['./flip.sh', '{flag}', '{variant}', '{percent}'])
    const control = targetFlagControl(loaded, process.env)
    expect(control.percentages).toBe(true)
    expect(await control.release(10, 'step 1', 'release-train')).toEqual({ percent: 10 })
    expect(await control.release(50, 'step 2', 'release-train')).toEqual({ percent: 50 })
    await control.turnOff('done', 'firedrill-cleanup')
    expect(await calls()).toEqual(['pricing.v2 on 10', 'pricing.v2 on 50', 'pricing.v2 off 0'])
  })

  it('turns the flag on for everyone at any step when the command takes no {percent}, and says so', async () => {
    const { loaded, calls } = await ofrepTarget(['./flip.sh', '{flag}', '{variant}'])
    const control = targetFlagControl(loaded, process.env)
    expect(control.percentages).toBe(false)
    expect(await control.release(10, 'step 1', 'release-train')).toEqual({ percent: 100 })
    expect(await calls()).toEqual(['pricing.v2 on'])
  })

  it("flips a dependency's degrade switch through the same command, and names it among the on-call's levers", async () => {
    const { loaded, calls } = await ofrepTarget(['./flip.sh', '{flag}', '{variant}', '{percent}'])
    await targetFlagControl(loaded, process.env, 'pricing.fixed-tax').turnOn('tax fails', 'responder-bot')
    expect(await calls()).toEqual(['pricing.fixed-tax on 100'])
    const levers = targetLevers(loaded).join('\n')
    expect(levers).toContain('tax (a dependency, health at http://127.0.0.1:9092/-/health)')
    expect(levers).toContain('./flip.sh pricing.fixed-tax on 100')
  })
})
