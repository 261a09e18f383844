import type { TestProject } from 'vitest/node'
import { provisionRedis, type RedisHandle } from '../../services/platform/redis/redis-provisioner.ts'

let handle: RedisHandle | undefined

/** The suite finds Redis exactly as the command line does, and shares one server between all test files. */
export async function setup(project: TestProject): Promise<void> {
  handle = await provisionRedis()
  project.provide('redisUrl', handle.url)
}

export async function teardown(): Promise<void> {
  await handle?.stop()
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string
  }
}
