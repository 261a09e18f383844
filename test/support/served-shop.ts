import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { descendantsOf, killLeftovers } from './process-tree.ts'
import { testPrefix, testRedisUrl } from './redis-sandbox.ts'
import { spawnCli } from './run-cli.ts'

/** The example target for the shop that `firedrill serve` runs. */
export const SHOP_TARGET_EXAMPLE = join(
  import.meta.dirname,
  '..',
  '..',
  'examples',
  'shop-target',
  'target.yaml',
)

export interface ServedShop {
  apis: string[]
  flags: string
  token: string
  /** SIGINT, wait for it to exit, and kill anything left. */
  stop(): Promise<void>
}

/**
 * `firedrill serve` on free ports in processes of its own, as a team's service would already be running
 * somewhere; resolves once it says it runs.
 */
export async function serveShop(
  token: string,
  args: readonly string[] = ['--api', '2', '--workers', '0'],
): Promise<ServedShop> {
  const { child, done } = spawnCli(['serve', '--port', '0', '--prefix', testPrefix(), ...args], {
    REDIS_URL: testRedisUrl(),
    FIREDRILL_FLAGS_TOKEN: token,
    LOG_LEVEL: 'warn',
  })
  const leftovers = [child.pid!]
  const lines = await readUntilRunning(child)
  leftovers.push(...(await descendantsOf(child.pid!)).map((p) => p.pid))
  const url = (line: string | undefined) => /https?:\/\/\S+/.exec(line ?? '')![0]
  return {
    apis: lines.filter((l) => l.startsWith('api ')).map(url),
    flags: url(lines.find((l) => l.startsWith('flags '))),
    token,
    async stop() {
      child.kill('SIGINT')
      await done
      killLeftovers(leftovers)
    },
  }
}

async function readUntilRunning(child: ChildProcess): Promise<string[]> {
  const lines: string[] = []
  const reader = createInterface({ input: child.stdout! })
  const exited = once(child, 'exit')
  const iterator = reader[Symbol.asyncIterator]()
  for (;;) {
    const next = await Promise.race([iterator.next(), exited.then(() => ({ done: true, value: '' }))])
    if (next.done) throw new Error(`serve exited before it ran:\n${lines.join('\n')}`)
    lines.push(next.value)
    if (/Ctrl-C stops it/.test(next.value)) return lines
  }
}

/** The example target copied to a folder of its own, pointed at the served shop's ports, then `edit`ed. */
export async function shopTargetFor(
  shop: ServedShop,
  edit: (text: string) => string = (t) => t,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-shop-target-'))
  const text = (await readFile(SHOP_TARGET_EXAMPLE, 'utf8'))
    .replaceAll('http://127.0.0.1:3000', shop.apis[0]!)
    .replaceAll('http://127.0.0.1:3001', shop.apis[1]!)
    .replaceAll('http://127.0.0.1:3100', shop.flags)
  if (/127\.0\.0\.1:3[01]0[01]\b/.test(text))
    throw new Error('the example target names a port serve did not use')
  const file = join(dir, 'target.yaml')
  await writeFile(file, edit(text))
  return file
}
