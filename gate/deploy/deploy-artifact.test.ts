import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { git } from '../../record/git/git.ts'
import { SHOP_PROCESS_BUNDLE } from '../../services/shop/process/start-shop-process.ts'
import { commandLineOf, isRunning } from '../../test/support/process-tree.ts'
import { redisSandbox } from '../../test/support/redis-sandbox.ts'
import type { Artifact } from '../build/artifact.ts'
import { removeArtifacts } from '../build/artifact-permissions.ts'
import { resolveTag, tagArtifact } from '../build/artifact-tags.ts'
import { buildArtifact } from '../build/build-artifact.ts'
import { GateErrorCode } from '../gate-errors.ts'
import { createSandboxRepo, type SandboxRepo } from '../sandbox/sandbox-repo.ts'
import { deployArtifact } from './deploy-artifact.ts'
import type { DeployEvent } from './deploy-event.ts'
import { ARTIFACT_COMMIT_HEADER, ARTIFACT_HASH_HEADER, Environment } from './environment.ts'
import { proveRollback } from './prove-rollback.ts'

let root: string
let repo: SandboxRepo
let store: string
/** trunk: the shop as it is */
let good: Artifact
/** the same shop with a README: another good build */
let next: Artifact
/** /readyz stays 503: a readiness check that always fails */
let neverReady: Artifact
/** buildApp throws: the api cannot start */
let crashes: Artifact
/** ready, but every POST answers 500 */
let cannotOrder: Artifact

/** Commits an edit on a branch cut from trunk and builds it; trunk stays checked out. */
async function buildChange(branch: string, file: string, edit: (text: string) => string): Promise<Artifact> {
  await git(repo.dir, ['checkout', '-q', '-b', branch, repo.trunk])
  const path = join(repo.dir, file)
  const before = await readFile(path, 'utf8').catch(() => '')
  const after = edit(before)
  if (after === before) throw new Error(`the edit of ${file} changed nothing`)
  await writeFile(path, after)
  await git(repo.dir, ['add', file])
  await git(repo.dir, ['commit', '-q', '-m', `test: ${branch}`])
  await git(repo.dir, ['checkout', '-q', repo.trunk])
  return buildArtifact({ repo, commit: branch, store })
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'firedrill-deploy-'))
  repo = await createSandboxRepo(join(root, 'repo'))
  store = join(root, 'artifacts')
  good = await buildArtifact({ repo, commit: repo.trunk, store })
  next = await buildChange('readme', 'README.md', () => 'the shop\n')
  neverReady = await buildChange('never-ready', 'services/api/build-app.ts', (text) =>
    text.replace(
      '    checks: {\n',
      "    checks: {\n      pricing: async () => {\n        throw new Error('pricing table missing')\n      },\n",
    ),
  )
  crashes = await buildChange('crashes', 'services/api/build-app.ts', (text) =>
    text.replace(
      '  const prefix = options.prefix ?? DEFAULT_PREFIX\n',
      "  if (options.redisUrl !== '') throw new Error('boot failed')\n  const prefix = options.prefix ?? DEFAULT_PREFIX\n",
    ),
  )
  cannotOrder = await buildChange('cannot-order', 'services/api/build-app.ts', (text) =>
    text.replace(
      '  await app.register(orderRoutes, {\n',
      "  app.addHook('onRequest', async (request, reply) => {\n    if (request.method === 'POST') return reply.code(500).send({ statusCode: 500, code: 'BROKEN', error: 'Internal Server Error', message: 'broken' })\n  })\n  await app.register(orderRoutes, {\n",
    ),
  )
})

afterAll(async () => {
  await removeArtifacts(root)
})

const sandbox = redisSandbox()
const environments: Environment[] = []

function environment(name: string, slots = 2): Environment {
  const env = new Environment({
    name,
    redisUrl: sandbox.url,
    prefix: `${sandbox.prefix}:${name}`,
    ports: Array.from({ length: slots }, () => 0),
  })
  environments.push(env)
  return env
}

afterEach(async () => {
  for (const env of environments.splice(0)) await env.close()
})

afterAll(async () => {
  await sandbox.close()
})

/** Which build answers at `url`, by the headers every instance sends, and whether it is ready. */
async function answer(url: string) {
  const response = await fetch(`${url}/readyz`)
  return {
    status: response.status,
    commit: response.headers.get(ARTIFACT_COMMIT_HEADER),
    contentHash: response.headers.get(ARTIFACT_HASH_HEADER),
  }
}

function recorder() {
  const events: DeployEvent[] = []
  return {
    events,
    onEvent: (event: DeployEvent) => events.push(event),
    steps: () => events.map((e) => (e.slot === undefined ? e.type : `${e.type}:${e.slot}`)),
  }
}

describe('build once, deploy everywhere', () => {
  it('staging and production run the same artifact and report the same content hash', async () => {
    const staging = environment('staging')
    const production = environment('production', 3)
    await deployArtifact(staging, good)
    const result = await deployArtifact(production, good)
    expect(result.artifact).toEqual({ commit: good.commit, contentHash: good.contentHash })

    const reported = [...staging.current(), ...production.current()]
    expect(reported).toHaveLength(5)
    for (const slot of reported) {
      expect(slot.commit).toBe(good.commit)
      expect(slot.contentHash).toBe(good.contentHash)
    }
    for (const url of [...staging.urls(), ...production.urls()]) {
      expect(await answer(url)).toEqual({ status: 200, commit: good.commit, contentHash: good.contentHash })
    }
  })

  it('rolls instance by instance on the same ports and tells each step in order', async () => {
    const staging = environment('staging')
    await deployArtifact(staging, good)
    const ports = staging.urls()
    // Each instance is a process of its own, running the artifact's code; a deploy replaces each with a new one.
    const before = staging.slots.map((slot) => staging.pidOf(slot)!)
    expect(new Set([process.pid, ...before]).size).toBe(3)
    for (const pid of before) expect(await commandLineOf(pid)).toContain(join(good.dir, SHOP_PROCESS_BUNDLE))
    const log = recorder()
    await deployArtifact(staging, next, { onEvent: log.onEvent })
    expect(log.steps()).toEqual([
      'deploy.started',
      'instance.updated:0',
      'instance.updated:1',
      'smoke.passed',
      'deploy.finished',
    ])
    expect(log.events.every((e) => e.env === 'staging' && e.artifact.commit === next.commit)).toBe(true)
    expect(log.events.at(-1)?.outcome).toBe('deployed')
    expect(staging.urls()).toEqual(ports)
    for (const url of staging.urls()) expect((await answer(url)).commit).toBe(next.commit)
    for (const pid of before) expect(await isRunning(pid)).toBe(false)
    for (const slot of staging.slots)
      expect(await commandLineOf(staging.pidOf(slot)!)).toContain(join(next.dir, SHOP_PROCESS_BUNDLE))
  })

  it('rolls one batch of slots and leaves the others on what they run', async () => {
    const production = environment('production', 3)
    await deployArtifact(production, good)
    const log = recorder()
    await deployArtifact(production, next, { slots: [1], onEvent: log.onEvent })
    expect(log.steps()).toEqual(['deploy.started', 'instance.updated:1', 'smoke.passed', 'deploy.finished'])
    expect(production.current().map((s) => s.commit)).toEqual([good.commit, next.commit, good.commit])
    await deployArtifact(production, next, { slots: [0, 2] })
    expect(production.current().map((s) => s.commit)).toEqual([next.commit, next.commit, next.commit])
    await expect(deployArtifact(production, good, { slots: [3] })).rejects.toThrow(/has no api slot 3/)
    expect(production.deploying).toBe(false)
  })
})

describe('rollback', () => {
  it('a failing health check rolls back, and the old version still answers', async () => {
    const staging = environment('staging')
    await deployArtifact(staging, good)
    const log = recorder()
    const deploying = deployArtifact(staging, neverReady, { onEvent: log.onEvent, healthTimeoutMs: 1500 })
    await expect(deploying).rejects.toMatchObject({
      code: GateErrorCode.DEPLOY_FAILED,
      check: 'health',
      slot: 0,
    })
    expect(log.steps()).toEqual(['deploy.started', 'health.failed:0', 'rolled-back:0', 'deploy.finished'])
    expect(log.events.find((e) => e.type === 'health.failed')?.detail).toContain('pricing table missing')
    expect(log.events.find((e) => e.type === 'rolled-back')?.rolledBackTo).toEqual({
      commit: good.commit,
      contentHash: good.contentHash,
    })
    expect(log.events.at(-1)?.outcome).toBe('rolled-back')
    expect(staging.current().map((s) => s.contentHash)).toEqual([good.contentHash, good.contentHash])
    for (const url of staging.urls())
      expect(await answer(url)).toMatchObject({ status: 200, commit: good.commit })
  })

  it('a health check failing on a later slot rolls back the slots already updated', async () => {
    const staging = environment('staging', 3)
    await deployArtifact(staging, good)
    const failing = staging.urls()[1]
    const log = recorder()
    const deploying = deployArtifact(staging, next, {
      onEvent: log.onEvent,
      // only the new build fails there: the old one comes back healthy
      healthCheck: async (url) =>
        url === failing && (await answer(url)).commit === next.commit
          ? { ok: false, detail: 'forced' }
          : true,
    })
    await expect(deploying).rejects.toMatchObject({
      code: GateErrorCode.DEPLOY_FAILED,
      check: 'health',
      slot: 1,
    })
    expect(log.steps()).toEqual([
      'deploy.started',
      'instance.updated:0',
      'health.failed:1',
      'rolled-back:1',
      'rolled-back:0',
      'deploy.finished',
    ])
    expect(staging.current().map((s) => s.commit)).toEqual([good.commit, good.commit, good.commit])
  })

  it('a slot that cannot be brought back is named, and the deploy says the rollback failed', async () => {
    const staging = environment('staging')
    await deployArtifact(staging, good)
    const broken = staging.urls()[1]
    const log = recorder()
    const deploying = deployArtifact(staging, next, {
      onEvent: log.onEvent,
      healthCheck: async (url) => url !== broken,
    })
    await expect(deploying).rejects.toMatchObject({
      code: GateErrorCode.DEPLOY_ROLLBACK_FAILED,
      failedSlots: [1],
    })
    expect(log.steps()).toEqual([
      'deploy.started',
      'instance.updated:0',
      'health.failed:1',
      'rolled-back:0',
      'deploy.finished',
    ])
    expect(log.events.at(-1)?.outcome).toBe('rollback-failed')
    expect(staging.current().map((s) => s.commit)).toEqual([good.commit, null])
    expect(staging.urls()).toHaveLength(1)
  })

  it('an api that cannot start rolls back', async () => {
    const staging = environment('staging')
    await deployArtifact(staging, good)
    const log = recorder()
    await expect(deployArtifact(staging, crashes, { onEvent: log.onEvent })).rejects.toMatchObject({
      code: GateErrorCode.DEPLOY_FAILED,
      check: 'start',
      slot: 0,
    })
    expect(log.events.find((e) => e.type === 'health.failed')?.detail).toContain('boot failed')
    for (const url of staging.urls())
      expect(await answer(url)).toMatchObject({ status: 200, commit: good.commit })
  })

  it('a failing smoke check rolls every slot back', async () => {
    const staging = environment('staging')
    await deployArtifact(staging, good)
    const log = recorder()
    await expect(deployArtifact(staging, cannotOrder, { onEvent: log.onEvent })).rejects.toMatchObject({
      code: GateErrorCode.DEPLOY_FAILED,
      check: 'smoke',
    })
    expect(log.steps()).toEqual([
      'deploy.started',
      'instance.updated:0',
      'instance.updated:1',
      'smoke.failed',
      'rolled-back:1',
      'rolled-back:0',
      'deploy.finished',
    ])
    expect(log.events.find((e) => e.type === 'smoke.failed')?.detail).toContain('500')
    expect(staging.current().map((s) => s.commit)).toEqual([good.commit, good.commit])
    for (const url of staging.urls())
      expect(await answer(url)).toMatchObject({ status: 200, commit: good.commit })
  })

  it('a first deploy that fails leaves the slots empty', async () => {
    const staging = environment('staging')
    const log = recorder()
    await expect(deployArtifact(staging, crashes, { onEvent: log.onEvent })).rejects.toMatchObject({
      code: GateErrorCode.DEPLOY_FAILED,
    })
    expect(log.events.find((e) => e.type === 'rolled-back')?.rolledBackTo).toBeNull()
    expect(staging.urls()).toEqual([])
  })
})

describe('the rollback rehearsal before a release', () => {
  it('rolls one slot back to the previous artifact and forward again, health- and smoke-checked, while the others keep serving', async () => {
    const production = environment('production', 2)
    await deployArtifact(production, good)
    await deployArtifact(production, next)
    const log = recorder()
    const proof = await proveRollback(production, next, good, { onEvent: log.onEvent })
    expect(proof).toMatchObject({ env: 'production', slot: 0, current: next, previous: good })
    expect(proof.backMs).toBeGreaterThan(0)
    expect(proof.forwardMs).toBeGreaterThan(0)
    expect(log.events.map((e) => `${e.artifact.commit === good.commit ? 'good' : 'next'} ${e.type}`)).toEqual(
      [
        'good deploy.started',
        'good instance.updated',
        'good smoke.passed',
        'good deploy.finished',
        'next deploy.started',
        'next instance.updated',
        'next smoke.passed',
        'next deploy.finished',
      ],
    )
    expect(log.events.filter((e) => e.slot !== undefined).every((e) => e.slot === 0)).toBe(true)
    for (const url of production.urls()) expect((await answer(url)).commit).toBe(next.commit)
  })

  it('fails, naming the leg, when the previous artifact no longer becomes ready, and every slot still serves the current one', async () => {
    const production = environment('production', 2)
    await deployArtifact(production, good)
    const proving = proveRollback(production, good, neverReady, { healthTimeoutMs: 1500 })
    await expect(proving).rejects.toMatchObject({
      code: GateErrorCode.ROLLBACK_UNPROVEN,
      leg: 'back',
      slot: 0,
    })
    await expect(proving).rejects.toThrow(/Nothing was released/)
    expect(production.current().map((s) => s.contentHash)).toEqual([good.contentHash, good.contentHash])
    for (const url of production.urls())
      expect(await answer(url)).toMatchObject({ status: 200, commit: good.commit })
  })

  it("fails before touching a slot when the previous artifact's files have changed since it was built", async () => {
    const production = environment('production', 2)
    const previous = await buildChange('tampered', 'README.md', () => 'the shop, once\n')
    await deployArtifact(production, previous)
    await deployArtifact(production, next)
    const file = join(previous.dir, 'services', 'api', 'build-app.ts')
    await chmod(file, 0o644)
    await writeFile(file, `${await readFile(file, 'utf8')}\n// edited after the build\n`)
    const log = recorder()
    await expect(proveRollback(production, next, previous, { onEvent: log.onEvent })).rejects.toMatchObject({
      code: GateErrorCode.ROLLBACK_UNPROVEN,
      leg: 'back',
      detail: expect.stringMatching(/does not match its manifest/),
    })
    expect(log.events).toEqual([])
    for (const url of production.urls()) expect((await answer(url)).commit).toBe(next.commit)
  })
})

describe('deploy guards', () => {
  it('refuses a second deploy to the same environment while one runs', async () => {
    const staging = environment('staging')
    const first = deployArtifact(staging, good)
    await expect(deployArtifact(staging, next)).rejects.toMatchObject({
      code: GateErrorCode.DEPLOY_IN_PROGRESS,
    })
    await first
    expect(staging.current().map((s) => s.commit)).toEqual([good.commit, good.commit])
  })

  it('refuses an artifact whose files no longer match the hash it is deployed as', async () => {
    const staging = environment('staging')
    await deployArtifact(staging, good)
    const claimed = { ...next, contentHash: good.contentHash }
    await expect(deployArtifact(staging, claimed)).rejects.toMatchObject({
      code: GateErrorCode.ARTIFACT_CORRUPT,
    })
    for (const url of staging.urls()) expect((await answer(url)).commit).toBe(good.commit)
  })

  it('deploys what a tag names only when its content hash is the verified one, whatever the tag says', async () => {
    const production = environment('production')
    await deployArtifact(production, good)
    expect(await tagArtifact(store, 'release', next)).toBeNull()
    // Someone moves the tag to another build after staging verified `next`.
    expect(await tagArtifact(store, 'release', good)).toEqual({
      commit: next.commit,
      contentHash: next.contentHash,
    })
    const named = await resolveTag(store, 'release')
    expect(named?.contentHash).toBe(good.contentHash)
    const seen = recorder()
    await expect(
      deployArtifact(production, named!, { verifiedContentHash: next.contentHash, onEvent: seen.onEvent }),
    ).rejects.toMatchObject({
      code: GateErrorCode.DEPLOY_NOT_VERIFIED,
      contentHash: good.contentHash,
      verifiedContentHash: next.contentHash,
    })
    expect(seen.events.map((e) => [e.type, e.outcome])).toEqual([['deploy.finished', 'refused']])
    // Nothing was touched: the instances that ran before still run and answer.
    expect(production.current().map((s) => s.commit)).toEqual([good.commit, good.commit])
    for (const url of production.urls()) expect((await answer(url)).status).toBe(200)
    // The verified artifact itself deploys.
    await deployArtifact(production, next, { verifiedContentHash: next.contentHash })
    expect(production.current().map((s) => s.commit)).toEqual([next.commit, next.commit])
    expect(await resolveTag(store, 'no-such-tag')).toBeUndefined()
  })
})
