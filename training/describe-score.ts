import type { TrainingScore } from '../record/scoring/training-score.ts'

/** A trainee's score in lines for the terminal. */
export function describeScore(score: TrainingScore): string[] {
  return [
    `score: ${score.points} / ${score.max} for ${score.trainee} (${score.scenario}, seed ${score.seed})`,
    ...score.items.map(
      (i) => `  ${i.criterion.padEnd(17)} ${`${i.points}/${i.max}`.padStart(6)}  ${i.detail}`,
    ),
    ...(score.hints.count === 0
      ? []
      : [`  hints             -${score.hints.cost}  ${score.hints.count} hint(s)`]),
  ]
}
