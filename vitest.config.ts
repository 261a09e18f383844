import { defineConfig } from 'vitest/config'

/**
 * Whole drills whose pass depends on how fast this machine answers (a latency SLO's threshold, an abort within
 * 10 s) and the browser tests that run whole training drills, which load the machine most: they run last, one at
 * a time, on a machine the rest of the suite no longer shares.
 */
const ALONE = [
  'test/drill-latency-regression.test.ts',
  'test/drill-faults.test.ts',
  'test/training-console.test.ts',
  'test/training-rollback.test.ts',
  'test/training-group.test.ts',
]

export default defineConfig({
  test: {
    exclude: ['node_modules/**', '.firedrill/**'],
    globalSetup: ['./test/support/global-redis.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Forks keep MSW and OpenFeature's per-process state apart between files.
    pool: 'forks',
    projects: [
      {
        extends: true,
        // Two at a time on a 2-core machine: most files wait on real processes, sockets and timers.
        test: {
          name: 'suite',
          include: ['**/*.test.ts'],
          exclude: [...ALONE, 'node_modules/**', '.firedrill/**'],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
})
