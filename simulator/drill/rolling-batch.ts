import type { ReleaseStep } from '../../record/scenario/scenario-schema.ts'
import type { DeployedShop, RollOutcome } from './deployed-shop.ts'
import type { DrillJournal } from './drill-journal.ts'

/**
 * One batch of a rolling release: the api slots from `rolled` up to the step's share of the instances go onto
 * the change's artifact, and a batch that went out is journalled as the release step it is. Returns the batch's
 * outcome and how many slots now run the change.
 */
export async function rollingBatch(options: {
  deployed: Pick<DeployedShop, 'rollOut' | 'artifact' | 'batchSlots'>
  step: ReleaseStep
  index: number
  /** Slots already on the change. */
  rolled: number
  instances: number
  journal: DrillJournal
}): Promise<{ outcome: RollOutcome | 'nothing'; rolled: number }> {
  const { deployed, step, rolled } = options
  if (deployed.rollOut === undefined) return { outcome: 'nothing', rolled }
  const upTo = Math.round((step.percent / 100) * options.instances)
  const slots =
    deployed.batchSlots?.(options.index) ?? Array.from({ length: upTo - rolled }, (_, k) => rolled + k)
  const outcome = await deployed.rollOut(slots)
  if (outcome !== 'rolled') return { outcome, rolled }
  await options.journal.append({
    type: 'release.step',
    data: {
      artifact: deployed.artifact.contentHash,
      slots: [...slots],
      step: options.index + 1,
      percent: step.percent,
      holdSeconds: step.holdSeconds,
    },
  })
  return { outcome, rolled: upTo }
}
