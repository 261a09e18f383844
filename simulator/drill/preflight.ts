import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { PROJECT_ROOT } from '../../gate/sandbox/sandbox-repo.ts'
import type { LoadedScenario } from '../../record/scenario/load-scenario.ts'
import { checkScenarioFiles } from '../../record/scenario/scenario-files.ts'
import { DEFAULT_FLAGS_FILE, loadFlagsFile } from '../../services/flags/index.ts'
import { pingRedis } from '../../services/platform/redis/ping-redis.ts'
import { freePort, parseRedisUrl } from '../../services/platform/redis/redis-provisioner.ts'

const run = promisify(execFile)

export interface CheckResult {
  name: string
  ok: boolean
  evidence: Record<string, unknown>
  /** Why it failed, and what to do. */
  message?: string
}

/**
 * The drill's assumptions, checked before anything changes: Redis answers, git is there, the scenario's files
 * exist and its change applies to the shop, the guarded flag exists and has an owner, loopback ports can be
 * had. `firedrill plan` shows these; `firedrill run` refuses to start when one fails.
 */
export async function runPreflight(loaded: LoadedScenario, redisUrl: string): Promise<CheckResult[]> {
  const { scenario } = loaded
  return Promise.all([
    check('redis reachable', async () => {
      const { host, port } = parseRedisUrl(redisUrl, 'the drill')
      await pingRedis(host, port, 1000)
      return { url: redisUrl }
    }),
    check('git available', async () => {
      const { stdout } = await run('git', ['--version'])
      return { version: stdout.trim() }
    }),
    check('scenario files present', async () => {
      // Opened again through the scenario's one reader: regular files, in its folder, within their limits.
      const files = await checkScenarioFiles(loaded)
      return { scenario: loaded.file, files: Object.values(files) }
    }),
    check('change applies to the shop', async () => {
      const patch = loaded.files['change.patch']
      if (patch === undefined) return { patch: null }
      await run('git', ['apply', '--check', patch], { cwd: PROJECT_ROOT })
      return { patch }
    }),
    check('flag present and owned', async () => {
      // A dependency's fault has no change flag: its mitigation, the degrade switch, must be there and owned.
      const fault = scenario.change.fault
      const key = fault.kind === 'provider-degraded' ? fault.degradeSwitch : scenario.change.flag
      // An unflagged change (a rolling release) has no flag to check.
      if (key === undefined) return { flag: null, strategy: scenario.release.strategy }
      const document = await loadFlagsFile(DEFAULT_FLAGS_FILE)
      const flag = document.flags[key]
      if (flag === undefined) throw new Error(`no flag "${key}" in ${DEFAULT_FLAGS_FILE}`)
      const owner = (flag.metadata as Record<string, unknown> | undefined)?.owner
      if (typeof owner !== 'string' || owner === '') throw new Error(`flag "${key}" has no owner`)
      return { flag: key, owner, defaultVariant: flag.defaultVariant }
    }),
    check('decoy flags present', async () => {
      const document = await loadFlagsFile(DEFAULT_FLAGS_FILE)
      const missing = scenario.decoys.map((d) => d.flag).filter((key) => document.flags[key] === undefined)
      if (missing.length > 0)
        throw new Error(`no flag ${missing.map((k) => `"${k}"`).join(', ')} in ${DEFAULT_FLAGS_FILE}`)
      return { decoys: scenario.decoys.map((d) => d.flag) }
    }),
    check('loopback ports free', async () => {
      const port = await freePort()
      return { host: '127.0.0.1', samplePort: port }
    }),
  ])
}

async function check(name: string, probe: () => Promise<Record<string, unknown>>): Promise<CheckResult> {
  try {
    return { name, ok: true, evidence: await probe() }
  } catch (err) {
    const message = ((err as { stderr?: string }).stderr || (err as Error).message || String(err)).trim()
    return { name, ok: false, evidence: {}, message }
  }
}
