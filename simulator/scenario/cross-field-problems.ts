import type { ScenarioProblem } from '../errors.ts'
import { parseDuration, scaleDuration } from './duration.ts'
import type { Scenario } from './scenario-schema.ts'

/**
 * Checks the schema cannot express: canary steps ascend, short windows are shorter than long ones and
 * still hold two scrapes once scaled, and rule names are unique. (The files a scenario names are checked when
 * they are opened, in `scenario-files.ts`.)
 */
export function crossFieldProblems(scenario: Scenario): ScenarioProblem[] {
  const problems: ScenarioProblem[] = []

  const { min, max } = scenario.traffic.mix.itemsPerOrder
  if (min > max) {
    problems.push({
      path: 'traffic.mix.itemsPerOrder.max',
      expected: `must be at least itemsPerOrder.min (${min})`,
      got: String(max),
    })
  }

  scenario.release.steps.forEach((step, i) => {
    const previous = scenario.release.steps[i - 1]
    if (previous !== undefined && step.percent <= previous.percent) {
      problems.push({
        path: `release.steps[${i}].percent`,
        expected: `must be more than the step before it (${previous.percent}): canary steps go up`,
        got: String(step.percent),
      })
    }
  })

  const names = new Set<string>()
  scenario.detection.rules.forEach((rule, i) => {
    if (names.has(rule.name)) {
      problems.push({
        path: `detection.rules[${i}].name`,
        expected: 'must be unique',
        got: JSON.stringify(rule.name),
      })
    }
    names.add(rule.name)
    if (parseDuration(rule.shortWindow) >= parseDuration(rule.longWindow)) {
      problems.push({
        path: `detection.rules[${i}].shortWindow`,
        expected: `must be shorter than longWindow (${rule.longWindow})`,
        got: JSON.stringify(rule.shortWindow),
      })
      return
    }
    const shortMs = scaleDuration(rule.shortWindow, scenario.timeScale)
    const needed = 2 * scenario.detection.scrapeIntervalMs
    if (shortMs < needed) {
      problems.push({
        path: `detection.rules[${i}].shortWindow`,
        expected:
          `must last at least two scrapes once scaled (${needed} ms at scrapeIntervalMs ${scenario.detection.scrapeIntervalMs}); ` +
          'raise timeScale, lengthen the window or scrape more often',
        got: `${JSON.stringify(rule.shortWindow)} = ${shortMs} ms`,
      })
    }
  })

  return problems
}
