import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.firedrill/**'],
    globalSetup: ['./test/support/global-redis.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: forks keep MSW and OpenFeature's per-process state apart between files.
    pool: 'forks',
  },
})
