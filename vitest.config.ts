import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/**
 * The files that run whole drills, longest first. They start before everything else, so on two workers the
 * short files fill in beside them instead of one long file running alone at the end (a fresh clone has no
 * timings from earlier runs for vitest to sort by).
 */
const LONGEST = ['test/capstone-e2e.test.ts', 'test/drill.test.ts', 'test/drill-faults.test.ts']

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files)
    const rank = (spec: TestSpecification) => {
      const at = LONGEST.findIndex((name) => spec.moduleId.endsWith(`/${name}`))
      return at === -1 ? LONGEST.length : at
    }
    return sorted
      .map((spec, index) => ({ spec, index }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.index - b.index)
      .map(({ spec }) => spec)
  }
}

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.firedrill/**'],
    globalSetup: ['./test/support/global-redis.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Forks keep MSW and OpenFeature's per-process state apart between files. Two at a time on a 2-core machine:
    // most files wait on real processes, sockets and timers rather than on the CPU.
    pool: 'forks',
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
  },
})
