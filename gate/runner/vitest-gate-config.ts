import { access, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

const CONFIG_NAMES = ['vitest.config.ts', 'vitest.config.mts', 'vitest.config.js', 'vitest.config.mjs']
const GATE_CONFIG = '.firedrill-gate.vitest.config.mjs'
const GATE_SETUP = '.firedrill-gate.vitest.setup.mjs'

/**
 * The vitest config the test steps use. A repository with its own vitest config keeps it (undefined: vitest
 * finds it). Otherwise the gate writes one into the worktree (untracked, so it is not part of the commit):
 * tests anywhere but node_modules, forks, the Redis URL provided as `inject('redisUrl')` the way the shop's
 * tests read it, and vite's cache kept inside the worktree.
 */
export async function vitestGateConfig(worktree: string): Promise<string | undefined> {
  for (const name of CONFIG_NAMES) {
    const found = await access(join(worktree, name)).then(
      () => true,
      () => false,
    )
    if (found) return undefined
  }
  await writeFile(
    join(worktree, GATE_SETUP),
    "export function setup(project) {\n  if (process.env.REDIS_URL) project.provide('redisUrl', process.env.REDIS_URL)\n}\n",
  )
  await writeFile(
    join(worktree, GATE_CONFIG),
    `export default {
  cacheDir: '.firedrill-gate-cache',
  test: {
    include: ['**/*.{test,spec}.?(c|m)[jt]s?(x)'],
    exclude: ['**/node_modules/**', '.firedrill-gate-cache/**'],
    globalSetup: ['./${GATE_SETUP}'],
    pool: 'forks',
    testTimeout: 20000,
    hookTimeout: 20000,
  },
}
`,
  )
  return GATE_CONFIG
}
