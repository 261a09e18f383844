import { describe, expect, it } from 'vitest'
import { Environment } from '../../gate/deploy/environment.ts'
import { systemClock } from '../../record/clock/clock.ts'
import { ProductionDeploys } from './production-deploys.ts'

function deploys(): ProductionDeploys {
  const production = new Environment({
    name: 'production',
    redisUrl: 'redis://unused',
    prefix: 'p',
    ports: [0],
  })
  return new ProductionDeploys({
    production,
    record: async () => {},
    onEvent: () => {},
    settle: async () => {},
    clock: systemClock,
  })
}

describe("production's deploys", () => {
  it('run one after another: a deploy asked for while one runs starts when it ends, even if it failed', async () => {
    const d = deploys()
    const log: string[] = []
    let release: () => void = () => {}
    const first = d.exclusive(async () => {
      log.push('batch starts')
      await new Promise<void>((r) => {
        release = r
      })
      log.push('batch ends')
      throw new Error('batch failed')
    })
    const second = d.exclusive(async () => {
      log.push('rollback starts')
      return 'rolled back'
    })
    await new Promise((r) => setTimeout(r, 20))
    expect(log).toEqual(['batch starts'])
    release()
    await expect(first).rejects.toThrow('batch failed')
    await expect(second).resolves.toBe('rolled back')
    expect(log).toEqual(['batch starts', 'batch ends', 'rollback starts'])
  })

  it('refuses a rollback when production has nothing earlier to go back to', async () => {
    await expect(deploys().rollback('someone', 'why')).rejects.toThrow(/no earlier artifact/)
  })
})
