import { describe, expect, it } from 'vitest'
import type { Artifact } from '../../gate/build/artifact.ts'
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

  it('rolls back once to the build before the change; a second rollback has nothing earlier, never the change again', async () => {
    const production = new Environment({
      name: 'production',
      redisUrl: 'redis://unused',
      prefix: 'p',
      ports: [0],
    })
    const deployed: string[] = []
    const journalled: string[] = []
    const d = new ProductionDeploys({
      production,
      record: async (event) => {
        journalled.push(event.type)
      },
      onEvent: () => {},
      settle: async () => {},
      clock: systemClock,
      deploy: async (_env, artifact) => {
        deployed.push(artifact.contentHash)
        return { env: 'production', artifact, slots: [] }
      },
    })
    const base = { commit: 'a'.repeat(40), contentHash: 'base' } as Artifact
    const change = { commit: 'b'.repeat(40), contentHash: 'change' } as Artifact
    d.started(base, null, false)
    d.started(change, base, false)
    const first = await d.rollback('bot', 'burning since the deploy')
    expect([first.from.contentHash, first.to.contentHash]).toEqual(['change', 'base'])
    expect(d.history().map((h) => [h.artifact, h.previous])).toEqual([
      ['base', null],
      ['change', 'base'],
      ['base', null],
    ])
    await expect(d.rollback('trainee', 'clicked again')).rejects.toThrow(/already rolled back .* by bot/)
    expect(deployed).toEqual(['base'])
    expect(journalled).toEqual(['rollback.requested'])
  })

  it('takes a rollback asked for while another runs as that one: production goes back once', async () => {
    const production = new Environment({
      name: 'production',
      redisUrl: 'redis://unused',
      prefix: 'p',
      ports: [0],
    })
    const deployed: string[] = []
    const d = new ProductionDeploys({
      production,
      record: async () => {},
      onEvent: () => {},
      settle: async () => {},
      clock: systemClock,
      deploy: async (_env, artifact) => {
        deployed.push(artifact.contentHash)
        return { env: 'production', artifact, slots: [] }
      },
    })
    const base = { commit: 'a'.repeat(40), contentHash: 'base' } as Artifact
    const change = { commit: 'b'.repeat(40), contentHash: 'change' } as Artifact
    d.started(base, null, false)
    d.started(change, base, false)
    const [watch, bot] = await Promise.all([
      d.rollback('post-deploy-watch', 'breached'),
      d.rollback('bot', 'paged'),
    ])
    expect(bot).toBe(watch)
    expect(watch.by).toBe('post-deploy-watch')
    expect(deployed).toEqual(['base'])
    expect(d.history().at(-1)?.rollbackOf).toEqual({ artifact: 'change', by: 'post-deploy-watch' })
  })

  it('refuses a rollback when production has nothing earlier to go back to', async () => {
    await expect(deploys().rollback('someone', 'why')).rejects.toThrow(/no earlier artifact/)
  })
})

describe("production's workers in a rollback", () => {
  const base = { commit: 'a'.repeat(40), contentHash: 'base' } as Artifact
  const change = { commit: 'b'.repeat(40), contentHash: 'change' } as Artifact

  function withWorkers(rollBack: () => Promise<boolean>, journalled: string[]) {
    const d = new ProductionDeploys({
      production: new Environment({
        name: 'production',
        redisUrl: 'redis://unused',
        prefix: 'p',
        ports: [0],
      }),
      record: async (event) => {
        if (event.type === 'deploy.step') journalled.push(`${event.data.step}: ${event.data.detail}`)
      },
      onEvent: () => {},
      settle: async () => {},
      clock: systemClock,
      deploy: async (_env, artifact) => ({ env: 'production', artifact, slots: [] }),
      workers: {
        rollBack: async (_from, _to, after) => {
          const rolled = await rollBack()
          if (rolled) await after()
          return rolled
        },
      },
    })
    d.started(base, null, false)
    d.started(change, base, false)
    return d
  }

  it('journals workers that could not follow the api back, without failing the rollback the api made', async () => {
    const journalled: string[] = []
    const d = withWorkers(async () => {
      throw new Error('worker production-0 exited (code 1) before it was ready')
    }, journalled)
    const request = await d.rollback('bot', 'burning since the deploy')
    expect(request.to.contentHash).toBe('base')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(journalled).toEqual([
      'workers-roll-failed: the fulfilment workers could not roll back: worker production-0 exited (code 1) before it was ready',
    ])
  })

  it('journals the workers rolled back with the api, by whoever asked', async () => {
    const journalled: string[] = []
    const d = withWorkers(async () => true, journalled)
    await d.rollback('post-deploy-watch', 'breached')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(journalled).toEqual([
      'workers-rolled: the fulfilment workers rolled back with the api, by post-deploy-watch',
    ])
  })
})
