import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { removeArtifacts } from '../gate/build/artifact-permissions.ts'
import { buildArtifact } from '../gate/build/build-artifact.ts'
import { createSandboxRepo } from '../gate/sandbox/sandbox-repo.ts'
import { provisionRedis, type RedisHandle } from '../services/platform/redis/redis-provisioner.ts'
import { parseShopPartConfig, SHOP_PART_ROLES } from '../services/shop/part/shop-part-config.ts'
import { startShopPart } from '../services/shop/part/start-shop-part.ts'
import { OWN_CODE_ROOT, startShopProcess } from '../services/shop/process/start-shop-process.ts'

const BIN = join(import.meta.dirname, '..', 'bin', 'firedrill.js')

/**
 * The shop's parts as processes: how long each role takes from spawn to ready (median of `rounds`), against the
 * floor of any such process (`node --import tsx` doing nothing), against starting the same part inside this
 * process, and from an artifact's bundle (what a drill's deploys start) against the same part through tsx; what
 * building an artifact costs with its bundle; and how long `firedrill serve` takes to exit after SIGTERM with
 * its Redis gone, against the same with Redis up.
 */
export async function shopProcesses(redis: RedisHandle, rounds: number) {
  const prefix = `bench-processes-${process.pid}`
  const floor = await medianOf(rounds, timeBareNode)
  const work = await mkdtemp(join(tmpdir(), 'firedrill-bench-bundle-'))
  const repo = await createSandboxRepo(join(work, 'repo'))
  let builds = 0
  const build = await medianOf(rounds, async () => {
    const started = performance.now()
    await buildArtifact({ repo, commit: repo.trunk, store: join(work, `store-${builds++}`) })
    return performance.now() - started
  })
  const artifact = await buildArtifact({ repo, commit: repo.trunk, store: join(work, 'store-0') })
  const lines = [
    `artifact build, git archive → read-only artifact with its shop bundle (median of ${rounds}): ${sec(build)}`,
    `process start, spawn → ready (median of ${rounds}; floor: node --import tsx doing nothing)`,
  ]
  for (const role of SHOP_PART_ROLES) {
    const options = { role, redisUrl: redis.url, prefix, flagsToken: 'bench', logLevel: 'warn' } as const
    const startFrom = (root: string) =>
      medianOf(rounds, async () => {
        const started = performance.now()
        const part = await startShopProcess(root, { ...options, output: 'capture' })
        const took = performance.now() - started
        await part.stop()
        return took
      })
    const spawned = await startFrom(OWN_CODE_ROOT)
    const bundled = await startFrom(artifact.dir)
    const inProcess = await medianOf(rounds, async () => {
      const started = performance.now()
      const part = await startShopPart(parseShopPartConfig(options, 'bench'))
      const took = performance.now() - started
      await part.close()
      return took
    })
    lines.push(
      `  ${role.padEnd(6)}  ${sec(spawned)}   floor ${sec(floor)} (${(spawned / floor).toFixed(1)}x)   ` +
        `in this process ${sec(inProcess)} (${(spawned / inProcess).toFixed(0)}x)   ` +
        `from an artifact's bundle ${sec(bundled)} (${(bundled / spawned).toFixed(2)}x the tsx start)`,
    )
  }
  await removeArtifacts(work)

  const down = await medianOf(rounds, () => serveExit(true))
  const up = await medianOf(rounds, () => serveExit(false))
  lines.push(
    `serve (1 api, 1 worker, flags) exit after SIGTERM (median of ${rounds})`,
    `  Redis down ${sec(down)}   Redis up ${sec(up)}   ratio ${(down / up).toFixed(2)}   goal: under 5 s`,
  )
  return { lines, floor, down, up }
}

async function timeBareNode(): Promise<number> {
  const started = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', ''], {
    cwd: OWN_CODE_ROOT,
    stdio: 'ignore',
  })
  await once(child, 'exit')
  return performance.now() - started
}

/** Starts `firedrill serve` on a private Redis, stops Redis when `redisDown`, sends SIGTERM: ms until it exits. */
async function serveExit(redisDown: boolean): Promise<number> {
  const redis = await provisionRedis({ env: {}, probeLocal: false })
  try {
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--api', '1', '--workers', '1', '--redis', redis.url],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'silent' } },
    )
    const exited = once(child, 'exit')
    for await (const line of createInterface({ input: child.stdout! }))
      if (/Ctrl-C stops it/.test(line)) break
    if (redisDown) await redis.stop()
    const asked = performance.now()
    child.kill('SIGTERM')
    await exited
    return performance.now() - asked
  } finally {
    await redis.stop()
  }
}

async function medianOf(rounds: number, measure: () => Promise<number>): Promise<number> {
  const samples: number[] = []
  for (let i = 0; i < rounds; i++) samples.push(await measure())
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted.length % 2 === 1
    ? sorted[(sorted.length - 1) / 2]!
    : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2
}

const sec = (msValue: number) => `${(msValue / 1000).toFixed(2)} s`
