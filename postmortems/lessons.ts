import { eventsOf } from '../record/journal/journal-event.ts'
import { dependencyLessons } from './dependency-fault-narrative.ts'
import { type DrillFacts, refusedByWords, repeatedRunWords } from './drill-facts.ts'
import { dependencyFaultOf, externalFaultOf, faultStoryOf } from './fault-story.ts'
import type { Lessons } from './lessons-shape.ts'
import { formatMs, formatPct, formatRatio } from './postmortem-format.ts'
import { queuePauseLessons, queuePauseOf } from './queue-pause-story.ts'

export type { Lessons }

/** Lessons from facts in the journal only: each sentence carries the figure it rests on. */
export function lessonsOf(facts: DrillFacts): Lessons {
  const { timings, impact, scenario } = facts
  const flag = scenario.change.flag
  const wentWell: string[] = []
  const wentWrong: string[] = []
  const gotLucky: string[] = []
  if (externalFaultOf(scenario) !== undefined) return externalCauseLessons(facts)
  if (dependencyFaultOf(scenario) !== undefined) {
    const lessons = dependencyLessons(facts)
    endingLessons(facts, lessons.wentWrong)
    return lessons
  }
  if (facts.status === 'prevented') return nearMissLessons(facts)

  if (facts.steadyBefore?.data.ok) {
    wentWell.push(
      `The steady-state hypothesis held before the release (error ratio ${formatRatio(facts.steadyBefore.data.errorRatio)} over ${facts.steadyBefore.data.requests} requests), so the failures are the change's.`,
    )
  }
  if (!facts.changeReachedUsers && facts.aborted !== undefined)
    wentWell.push(
      `The drill stopped before any release step (${facts.aborted.data.reason}), so no user met the change.`,
    )
  const rehearsed = eventsOf(facts.events, 'rollback.proved')[0]
  if (rehearsed !== undefined)
    wentWell.push(
      `Production's rollback was rehearsed before the release: api slot ${rehearsed.data.slot} went back to the previous build in ${formatMs(rehearsed.data.backMs)} and forward again in ${formatMs(rehearsed.data.forwardMs)}, so the way back was known to work.`,
    )
  const unproven = eventsOf(facts.events, 'rollback.unproven')[0]
  if (unproven !== undefined)
    wentWrong.push(
      `The rollback rehearsal failed going ${unproven.data.leg} on api slot ${unproven.data.slot} (${unproven.data.detail}): production had no proven way back, so nothing was released.`,
    )
  decoyLessons(facts, wentWell, wentWrong)
  if (timings.detectedAt !== null) {
    wentWell.push(
      `The ${facts.detectingRule?.name ?? 'burn-rate'} alert paged ${formatMs(timings.mttdMs)} after the release, while the release was at ${facts.exposurePctAtDetection} % of traffic.`,
    )
  } else if (facts.changeReachedUsers) {
    wentWrong.push(
      'No paging alert is recorded: the burn-rate rules did not turn these failures into a page before the run ended.',
    )
  }
  const rolledBack = flag === undefined
  const pause = queuePauseOf(facts)
  if (pause !== undefined) {
    const paused = queuePauseLessons(pause, timings.mttmMs)
    wentWell.push(...paused.wentWell)
    wentWrong.push(...paused.wentWrong)
  } else if (timings.mitigatedAt !== null) {
    wentWell.push(
      rolledBack
        ? `Rolling production back to its previous artifact mitigated${timings.mttmMs === null ? '' : `, ${formatMs(timings.mttmMs)} after the page`}: the deploy path kept the previous artifact and could go back to it.`
        : `Turning ${flag} off mitigated without a rollback or deploy${timings.mttmMs === null ? '' : `, ${formatMs(timings.mttmMs)} after the page`}.`,
    )
  } else if (facts.changeReachedUsers) {
    wentWrong.push(
      rolledBack
        ? 'Production was not rolled back during the run.'
        : `${flag} was not turned off during the run.`,
    )
  }
  if (timings.recoveredAt !== null && timings.mitigatedAt !== null) {
    const flagToRecovery = Date.parse(timings.recoveredAt) - Date.parse(timings.mitigatedAt)
    wentWell.push(
      pause?.resumed === undefined
        ? `The SLI recovered ${formatMs(flagToRecovery)} after ${pause !== undefined ? 'the fulfilment queue was paused' : rolledBack ? 'every instance was back on the previous artifact' : 'the flag went off'}.`
        : `The SLI recovered ${formatMs(flagToRecovery)} after the fulfilment queue was paused, ${formatMs(Date.parse(timings.recoveredAt) - Date.parse(pause.resumed.at))} after it was resumed and its held orders flowed again.`,
    )
  }
  if (rolledBack && facts.changeReachedUsers)
    wentWrong.push(
      scenario.release.strategy === 'instance-canary'
        ? 'The change shipped without a flag: there was no switch to turn the new path off, so mitigation meant taking the canary instance out of the traffic, and the part of the change that worked went back with it.'
        : scenario.release.strategy === 'blue-green'
          ? 'The change shipped without a flag: there was no switch to turn the new path off, so mitigation meant sending every request back to the previous build on the blue instances, and the part of the change that worked went back with it.'
          : 'The change shipped without a flag: there was no switch to turn the new path off, so mitigation meant redeploying every instance, and the part of the change that worked went back with it.',
    )

  if (impact.failedRequests > 0) {
    wentWrong.push(
      `${impact.failedRequests} of ${impact.requests} requests failed, using ${formatPct(impact.errorBudgetConsumedPct)} of the ${scenario.slo.window} error budget.`,
    )
  }
  if (
    timings.mttdMs !== null &&
    facts.theoreticalDetectionMs !== null &&
    facts.errorRatioAtDetection !== null
  ) {
    const times = timings.mttdMs / facts.theoreticalDetectionMs
    wentWrong.push(
      `Detection took ${formatMs(timings.mttdMs)}, ${times.toFixed(1)}× the theoretical minimum of ${formatMs(facts.theoreticalDetectionMs)}: ` +
        `the time ${facts.detectingRule?.name} needs at the error ratio it saw when it fired (${formatRatio(facts.errorRatioAtDetection)}), given the clean traffic its windows held before the release.` +
        (facts.exposurePctAtDetection === 100 && facts.scenario.release.steps.length > 1
          ? ' The canary steps kept the error ratio under the threshold until the last step.'
          : ''),
    )
  }
  if (facts.changeReachedUsers)
    wentWrong.push(
      rolledBack
        ? 'The defect passed the gate and reached users through the deploy; only the rolling batches limited the damage.'
        : 'The defect passed the gate and reached users behind the flag; the release plan, not the gate, limited the damage.',
    )
  endingLessons(facts, wentWrong)
  if (facts.status === 'crashed')
    wentWrong.push(`The drill's process died before it finished: ${facts.aborted?.data.reason}.`)
  if (facts.status === 'incomplete')
    wentWrong.push('The run ended before drill.finished; the journal stops there.')

  const luck = faultStoryOf(scenario).luck
  if (luck !== null) gotLucky.push(luck)
  if (timings.detectedAt !== null && facts.exposurePctAtDetection < 100) {
    gotLucky.push(
      `The alert fired while the release was at ${facts.exposurePctAtDetection} %; had the change gone to 100 % at once, every user would have been exposed before the page.`,
    )
  }
  return { wentWell, wentWrong, gotLucky }
}

/** A dependency failed and nothing of ours changed: how the shop and its responder met it. */
function externalCauseLessons(facts: DrillFacts): Lessons {
  const { timings } = facts
  const fault = externalFaultOf(facts.scenario)!
  const story = faultStoryOf(facts.scenario)
  const wentWell: string[] = []
  const wentWrong: string[] = []
  const gotLucky: string[] = []
  if (facts.status === 'prevented') {
    const held = facts.steadyAfter?.data.ok
      ? ` (error ratio ${formatRatio(facts.steadyAfter.data.errorRatio)} over ${facts.steadyAfter.data.requests} orders with the provider still degraded)`
      : ''
    return {
      wentWell: [
        `${facts.againOf === undefined ? "The provider's fault came and" : 'The same provider fault came back and'} nobody was paged: the workers deferred charges by themselves, and the steady state held${held}.`,
      ],
      wentWrong: [
        'The provider failed again: the shop cannot prevent a dependency failing, only keep its customers out of it.',
      ],
      gotLucky:
        facts.againOf === undefined
          ? []
          : [
              `The repeat came after ${repeatedRunWords(facts)}'s fix had merged: before it, the same fault paged and waited for ${fault.degradeSwitch}.`,
            ],
    }
  }
  decoyLessons(facts, wentWell, wentWrong)
  const diagnosis = eventsOf(facts.events, 'responder.diagnosed').at(-1)
  if (diagnosis?.data.evidence.provider !== undefined && diagnosis.data.action.kind === 'degrade')
    wentWell.push(
      `The responder read the provider's status page (${diagnosis.data.evidence.provider.status}) before the flag audit log, and took the cause for external.`,
    )
  if (timings.detectedAt !== null)
    wentWell.push(
      `The ${facts.detectingRule?.name ?? 'burn-rate'} alert on the fulfilment SLO paged ${formatMs(timings.mttdMs)} after the provider's fault began, though checkout answered every order.`,
    )
  else
    wentWrong.push(
      'No paging alert is recorded: the burn-rate rules did not turn the late orders into a page.',
    )
  const degraded = facts.anchors.mitigated
  if (degraded?.type === 'mitigation.applied' && degraded.data.action === 'degrade switch on') {
    wentWell.push(
      `Turning the degrade switch ${fault.degradeSwitch} on mitigated${timings.mttmMs === null ? '' : `, ${formatMs(timings.mttmMs)} after the page`}, without a rollback or deploy.`,
    )
    if (timings.recoveredAt !== null)
      wentWell.push(
        `The fulfilment SLI recovered ${formatMs(Date.parse(timings.recoveredAt) - Date.parse(degraded.at))} after the switch was on, with the provider still degraded.`,
      )
  } else wentWrong.push(`The degrade switch ${fault.degradeSwitch} was not turned on during the run.`)
  wentWrong.push(
    `The shop could not degrade by itself: ${story.decision}.`,
    "Nothing alerted on the provider itself: the page came from the fulfilment SLO's burn, after customers' orders were already late.",
  )
  endingLessons(facts, wentWrong)
  if (story.luck !== null) gotLucky.push(story.luck)
  return { wentWell, wentWrong, gotLucky }
}

/** How the run ended, where that went wrong: the steady state after, failed checks, a stop condition. */
function endingLessons(facts: DrillFacts, wentWrong: string[]): void {
  if (facts.steadyAfter !== undefined && !facts.steadyAfter.data.ok)
    wentWrong.push(
      `The steady state did not hold after recovery (error ratio ${formatRatio(facts.steadyAfter.data.errorRatio)} over ${facts.steadyAfter.data.requests} requests).`,
    )
  for (const check of facts.failedChecks)
    wentWrong.push(`Check ${check.data.name} failed: ${check.data.message}.`)
  if (facts.status === 'aborted')
    wentWrong.push(`A stop condition ended the drill: ${facts.aborted?.data.reason}.`)
}

/** A near miss: what caught the repeated change, and what it still took to get there. */
function nearMissLessons(facts: DrillFacts): Lessons {
  const steps = refusedByWords(facts)
  const earlier = repeatedRunWords(facts)
  const heldAfter = facts.steadyAfter?.data.ok
    ? [
        `The same release on ${facts.deployRefused === undefined && facts.deployRolledBack === undefined && facts.watchCaught === undefined ? 'trunk as it is' : 'production as it was'} caused no incident (error ratio ${formatRatio(facts.steadyAfter.data.errorRatio)} over ${facts.steadyAfter.data.requests} requests).`,
      ]
    : []
  if (facts.againOf === undefined) {
    const story = faultStoryOf(facts.scenario)
    return {
      wentWell: [
        facts.watchCaught !== undefined
          ? `The post-deploy watch compared the deploy with production's own steady state and rolled it back by itself (${facts.watchCaught.breached.data.breaches.join(' and ')} breached${facts.watchCaught.back === undefined ? '' : `; production back ${formatMs(facts.watchCaught.back.data.backMs)} after the breach`}), without waiting for a page.`
          : facts.deployRefused !== undefined
            ? "Production's deploy verification refused the artifact: it checks the content hash staging verified, not the tag."
            : facts.deployRolledBack !== undefined
              ? `The rolling deploy health-checked its first new instance and rolled the batch back when the ${facts.deployRolledBack.data.check} check failed: the other instances never left the build before the change.`
              : `The gate refused the change (${steps}) on its first try: it never reached trunk.`,
        ...heldAfter,
      ],
      wentWrong: [
        facts.watchCaught !== undefined
          ? `The release rested on ${story.decision}. Only production's own traffic showed it: users met the change until the watch rolled it back.`
          : facts.deployRefused !== undefined
            ? `The release rested on ${story.decision}. Only the last check before production stopped it.`
            : facts.deployRolledBack !== undefined
              ? `The release rested on ${story.decision}. Only production's own deploy stopped it, on a live instance.`
              : `The change was written and committed this way: ${story.decision}. Only the gate stopped it, after it was pushed.`,
      ],
      gotLucky: story.luck === null ? [] : [story.luck],
    }
  }
  return {
    wentWell: [
      `The gate refused the change (${steps}): the check ${earlier}'s fix added stopped the same defect before trunk.`,
      ...heldAfter,
    ],
    wentWrong: [
      'The same defect was written and committed again; only the gate stopped it, after the change was already made.',
    ],
    gotLucky: [
      `The repeat came after ${earlier}'s fix had merged: before it, the same change passed the gate and reached users.`,
    ],
  }
}

/** Decoys (harmless flag changes by someone else): whether the responder told them from the cause. */
function decoyLessons(facts: DrillFacts, wentWell: string[], wentWrong: string[]): void {
  const decoys = eventsOf(facts.events, 'decoy.applied')
  if (decoys.length === 0) return
  const diagnoses = eventsOf(facts.events, 'responder.diagnosed')
  const setAside = new Set(diagnoses.flatMap((d) => d.data.setAside.map((s) => s.flag)))
  const turnedOff = new Set(
    diagnoses.flatMap((d) => (d.data.action.kind === 'flag-off' ? [d.data.action.flag] : [])),
  )
  for (const decoy of decoys) {
    const who = `${decoy.data.flag} (turned ${decoy.data.to} by ${decoy.data.actor}: ${decoy.data.reason})`
    if (turnedOff.has(decoy.data.flag))
      wentWrong.push(`The responder turned off ${who}, a change the incident had nothing to do with.`)
    else if (setAside.has(decoy.data.flag))
      wentWell.push(`The responder set aside ${who}: the latest flag change was not taken for the cause.`)
  }
}
