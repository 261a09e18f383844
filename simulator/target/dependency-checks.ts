import { describeProxyFault } from '../../record/target/describe-proxy-fault.ts'
import type { LoadedTarget } from '../../record/target/load-target.ts'
import { withTimeout } from '../../services/platform/with-timeout.ts'
import { dependencyFaultControl } from './dependency-proxy.ts'
import { httpProbe } from './http-probe.ts'
import { check, type TargetCheck } from './target-check.ts'
import { targetFlagControl } from './target-flag-control.ts'

/**
 * Each dependency's fault proxy answers `/-/health` and reads the very fault store firedrill writes (the same
 * revision as the Redis key the target file names: a proxy started with another `--redis`, `--prefix` or `--name`
 * would never see the drill's fault), and its degrade switch is a flag the flag source has. Changes nothing; a
 * fault already set is reported, not refused (a drill that fails the dependency refuses it).
 */
export function dependencyChecks(loaded: LoadedTarget, env: NodeJS.ProcessEnv): Promise<TargetCheck>[] {
  const timeoutMs = loaded.target.service.timeoutMs
  return (loaded.target.dependencies ?? []).flatMap((dependency, i) => {
    const checks = [
      check(`dependency ${dependency.name}`, async () => {
        const control = dependencyFaultControl(dependency, env)
        try {
          const { status, body } = await httpProbe(`${control.url}/-/health`, timeoutMs)
          if (status !== 200)
            throw new Error(
              `the proxy at ${control.url} (dependencies[${i}].proxy.url) answered ${status} on /-/health${status === 503 ? ': it cannot read its fault store' : ''}`,
            )
          const health = JSON.parse(body) as { revision?: number; target?: string }
          const state = await withTimeout(control.state(), timeoutMs, `reading ${control.key}`).catch(
            (err: Error) => {
              throw new Error(
                `cannot read ${control.key} on ${control.redis} (dependencies[${i}].proxy.redis): ${err.message}`,
              )
            },
          )
          if (health.revision !== state.revision)
            throw new Error(
              `the proxy at ${control.url} reads another fault store (its revision ${health.revision}, ${control.key} on ${control.redis} is at ${state.revision}): set dependencies[${i}].proxy's redis, prefix and name to the proxy's --redis, --prefix and --name`,
            )
          return `proxy ${control.url} → ${health.target ?? 'its upstream'}, fault in ${control.key}: ${describeProxyFault(state.fault)}`
        } finally {
          await control.close()
        }
      }),
    ]
    const lever = dependency.degradeSwitch
    if (lever !== undefined)
      checks.push(
        check(`degrade switch ${lever}`, async () => {
          try {
            const percent = await targetFlagControl(loaded, env, lever).percent()
            return `${lever} (dependencies[${i}].degradeSwitch) serves on to ${percent}%`
          } catch (err) {
            throw new Error(
              `${lever} (dependencies[${i}].degradeSwitch) cannot be read from the flag source: ${(err as Error).message}`,
            )
          }
        }),
      )
    return checks
  })
}
