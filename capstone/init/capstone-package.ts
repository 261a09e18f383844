import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** What the shop imports at run time, and what its tests and the gate's steps need. */
const SHOP_DEPENDENCIES = [
  '@fastify/type-provider-typebox',
  '@openfeature/core',
  '@openfeature/flagd-core',
  '@openfeature/server-sdk',
  '@sinclair/typebox',
  'bullmq',
  'fastify',
  'fastify-plugin',
  'ioredis',
  'msw',
  'pino',
  'prom-client',
  'yaml',
]
const SHOP_DEV_DEPENDENCIES = ['@types/node', 'fast-check', 'typescript', 'vitest']

interface PackageJson {
  version: string
  engines?: Record<string, string>
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}

const pick = (from: Record<string, string>, names: readonly string[]) =>
  Object.fromEntries(names.filter((n) => from[n] !== undefined).map((n) => [n, from[n]!]))

/**
 * The capstone's package.json: the shop's dependencies at the versions firedrill uses, and firedrill itself as a
 * development dependency (what the CI workflow runs as `npx firedrill gate`).
 */
export async function capstonePackageJson(name: string, projectRoot: string): Promise<string> {
  const project = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as PackageJson
  const all = { ...project.dependencies, ...project.devDependencies }
  const pkg = {
    name:
      name
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, '-')
        .replace(/^[._-]+/, '') || 'capstone',
    private: true,
    type: 'module',
    engines: project.engines ?? { node: '>=20.19' },
    scripts: {
      gate: 'firedrill gate',
      grade: 'firedrill grade',
      test: 'vitest run',
      typecheck: 'tsc --noEmit -p tsconfig.json',
    },
    dependencies: pick(all, SHOP_DEPENDENCIES),
    devDependencies: { firedrill: `^${project.version}`, ...pick(all, SHOP_DEV_DEPENDENCIES) },
  }
  return `${JSON.stringify(pkg, null, 2)}\n`
}
