import { defineConfig } from 'vitest/config'

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
  },
})
