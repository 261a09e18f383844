import { en, Faker } from '@faker-js/faker'
import { TrafficOptionsInvalidError } from './errors.ts'

/**
 * How request send times are laid out. `constant`: request i at i/rate. `poisson`: exponential gaps with mean
 * 1/rate drawn from a seeded generator, so the bursts are the same from run to run.
 */
export type ArrivalProcess = { kind: 'constant' } | { kind: 'poisson'; seed: number }

export interface ArrivalSchedule {
  /** Offset in ms from the start at which request `i` is due. Call with i = 0, 1, 2, … in order. */
  offsetMs(i: number): number
}

export function createArrivalSchedule(ratePerSecond: number, process: ArrivalProcess): ArrivalSchedule {
  if (!(ratePerSecond > 0 && Number.isFinite(ratePerSecond)))
    throw new TrafficOptionsInvalidError('ratePerSecond', `must be a positive number (got ${ratePerSecond})`)
  const meanGapMs = 1000 / ratePerSecond
  if (process.kind === 'constant') return { offsetMs: (i) => i * meanGapMs }

  const faker = new Faker({ locale: en })
  faker.seed(process.seed)
  const offsets: number[] = [0]
  return {
    offsetMs(i) {
      while (offsets.length <= i) {
        // Inverse transform sampling: -ln(U) * mean, with U in (0, 1].
        const u = 1 - faker.number.float({ min: 0, max: 1 })
        offsets.push(offsets[offsets.length - 1]! - Math.log(u) * meanGapMs)
      }
      return offsets[i]!
    },
  }
}
