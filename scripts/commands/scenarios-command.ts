import { listScenarios } from '../../record/scenario/list-scenarios.ts'
import type { Command } from '../command.ts'
import { scenariosDefinition } from '../definitions/scenarios-definition.ts'
import { parseCommandArgs } from '../parse-command-args.ts'

export const scenariosCommand: Command = {
  name: 'scenarios',
  async run(argv) {
    const { values } = parseCommandArgs(argv, scenariosDefinition)
    const scenarios = await listScenarios()
    if (values.json) {
      process.stdout.write(`${JSON.stringify(scenarios, null, 2)}\n`)
      return 0
    }
    const width = Math.max(0, ...scenarios.map((s) => s.name.length)) + 2
    const indent = ' '.repeat(width)
    const lines = scenarios.flatMap((s) => [
      `${s.name.padEnd(width)}${s.title}`,
      `${indent}${firstSentence(s.description)}`,
      ...(s.teaches === null ? [] : [`${indent}teaches: ${s.teaches}`]),
      `${indent}${[
        s.difficulty,
        `SLIs ${s.slis.join(', ')}`,
        s.service === 'target'
          ? `up to ${s.plannedWaitSeconds} s of planned waiting, on a target (run --target FILE)`
          : `up to ${s.plannedWaitSeconds} s of planned waiting, plus the gate runs`,
      ]
        .filter((part) => part !== null)
        .join(' · ')}`,
    ])
    process.stdout.write(`${lines.join('\n')}\n`)
    return 0
  },
}

/** The description's first sentence on one line: the catalog is read at a glance. */
export function firstSentence(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  const end = line.search(/[.!?](\s|$)/)
  return end === -1 ? line : line.slice(0, end + 1)
}
