import { loadScenario } from '../../record/scenario/load-scenario.ts'
import { isFiredrillError } from '../../services/platform/firedrill-error.ts'
import { provisionRedis } from '../../services/platform/redis/redis-provisioner.ts'
import { describePlan } from '../../simulator/drill/drill-plan.ts'
import { type CheckResult, runPreflight } from '../../simulator/drill/preflight.ts'
import type { Command } from '../command.ts'
import { planDefinition } from '../definitions/plan-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'

export const planCommand: Command = {
  name: 'plan',
  async run(argv) {
    const { values } = parseCommandArgs(argv, planDefinition)
    const loaded = await loadScenario(values.scenario)
    let checks: CheckResult[]
    let stop = async () => {}
    try {
      const redis = await provisionRedis({ url: values.redis })
      stop = () => redis.stop()
      checks = await runPreflight(loaded, redis.url)
    } catch (err) {
      if (!isFiredrillError(err)) throw err
      checks = [{ name: 'redis reachable', ok: false, evidence: {}, message: err.message }]
    } finally {
      await stop()
    }
    const ready = checks.every((c) => c.ok)
    process.stdout.write(`${describePlan(loaded, checks)}${ready ? 'Ready.' : 'Not ready.'}\n`)
    return ready ? 0 : 1
  },
}
