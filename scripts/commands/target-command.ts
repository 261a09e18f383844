import { parseDuration } from '../../record/scenario/duration.ts'
import { loadScenario } from '../../record/scenario/load-scenario.ts'
import { loadTarget } from '../../record/target/load-target.ts'
import { targetRepoChecks } from '../../simulator/drill/target-repo-checks.ts'
import { runTargetPreflight } from '../../simulator/target/target-preflight.ts'
import type { Command } from '../command.ts'
import { targetCheckDefinition } from '../definitions/target-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'
import { findSubcommand } from '../subcommand.ts'

export const targetCommand: Command = {
  name: 'target',
  async run(argv) {
    const { definition, rest } = findSubcommand('target', [targetCheckDefinition], argv)
    const { values, positionals } = parseCommandArgs(rest, definition as typeof targetCheckDefinition)
    const loaded = await loadTarget(positionals[0]!)
    const scenario = values.scenario === undefined ? undefined : await loadScenario(values.scenario)
    const windowsMs = scenario?.scenario.detection.rules.flatMap((r) => [
      parseDuration(r.longWindow),
      parseDuration(r.shortWindow),
    ])
    const checks = [
      ...(await runTargetPreflight(
        loaded,
        scenario === undefined ? {} : { windowsMs: windowsMs!, slos: scenario.scenario.slo.indicators },
      )),
      // The repository the target names, for the loop after a drill.
      ...(await targetRepoChecks(loaded)),
    ]
    const ready = checks.every((c) => c.ok)
    if (values.json)
      process.stdout.write(`${JSON.stringify({ target: loaded.target.name, ready, checks }, null, 2)}\n`)
    else {
      const failed = checks.filter((c) => !c.ok).length
      const lines = checks.map((c) => `  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`)
      const verdict = ready ? 'ready' : `not ready (${failed} of ${checks.length} checks failed)`
      process.stdout.write(`target ${loaded.target.name}: ${verdict}\n${lines.join('\n')}\n`)
    }
    return ready ? 0 : 1
  },
}
