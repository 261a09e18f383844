import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import { GATE_FILE_NAME } from '../../gate/config/gate-file-schema.ts'
import { loadGateSigner } from '../../gate/ledger/gate-signer.ts'
import { TRUSTED_KEYS_FILE, trustedKeyEntry } from '../../gate/ledger/trusted-keys.ts'
import { git } from '../../record/git/git.ts'
import { buildFaultProxy } from '../../simulator/fault-proxy/fault-proxy.ts'
import { RedisProxyFaultStore } from '../../simulator/fault-proxy/redis-proxy-fault-store.ts'
import { dropPrefix, testPrefix, testRedisUrl } from './redis-sandbox.ts'

/** The example quote service, written apart from the shop. */
export const QUOTES_EXAMPLE_DIR = join(import.meta.dirname, '..', '..', 'examples', 'quotes-service')

export type Cleanup = Array<() => Promise<unknown>>

/**
 * The quote service's dependency, an exchange-rate service on a local socket, behind firedrill's fault proxy (its
 * fault in a real Redis): resolves with the proxy's URL, which the service calls, and the fault's store.
 */
export async function startRatesBehindProxy(
  cleanup: Cleanup,
): Promise<{ url: string; faults: RedisProxyFaultStore; prefix: string }> {
  const rates = Fastify({ logger: false })
  rates.get('/rate', async () => ({ rate: 1.25 }))
  const ratesUrl = await rates.listen({ host: '127.0.0.1', port: 0 })
  cleanup.push(() => rates.close())
  const redis = new Redis(testRedisUrl())
  const prefix = testPrefix()
  cleanup.push(async () => {
    await dropPrefix(redis, prefix)
    await redis.quit()
  })
  const faults = new RedisProxyFaultStore(redis, prefix, 'rates')
  const proxy = buildFaultProxy({ target: ratesUrl, store: faults })
  const url = await proxy.listen()
  cleanup.push(() => proxy.close())
  return { url, faults, prefix }
}

/** The example service as its own process, its flags file in `dir`; resolves with its URL once it listens. */
export async function startQuotes(dir: string, ratesUrl: string, cleanup: Cleanup): Promise<string> {
  const child: ChildProcess = spawn(process.execPath, [join(QUOTES_EXAMPLE_DIR, 'server.mjs')], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: { ...process.env, PORT: '0', FLAGS_FILE: join(dir, 'flags.json'), RATES_URL: ratesUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  cleanup.push(async () => {
    if (child.exitCode !== null) return
    child.kill('SIGTERM')
    await once(child, 'exit')
  })
  const exited = once(child, 'exit').then(() => ({ done: true as const, value: '' }))
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  for (;;) {
    const next = await Promise.race([lines.next(), exited])
    if (next.done) throw new Error('the quote service exited before it listened')
    const match = /listening on (http:\/\/\S+)/.exec(next.value)
    if (match !== null) return match[1]!
  }
}

/**
 * The example copied to a folder of its own, the quote service started on it with its exchange-rate dependency
 * behind the fault proxy, and the target file pointed at it and then `edit`ed. Resolves with the folder, the
 * target file, the service's URL and the dependency's fault store.
 */
export async function quotesTarget(
  cleanup: Cleanup,
  edit: (text: string) => string = (text) => text,
): Promise<{ dir: string; targetFile: string; url: string; faults: RedisProxyFaultStore }> {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-quotes-'))
  await cp(QUOTES_EXAMPLE_DIR, dir, { recursive: true })
  const rates = await startRatesBehindProxy(cleanup)
  const url = await startQuotes(dir, rates.url, cleanup)
  const targetFile = join(dir, 'target.yaml')
  // The proxy in front of the rates service, and the Redis and prefix its fault lives under.
  const proxy = `url: ${rates.url}\n      redis: ${testRedisUrl()}\n      prefix: ${rates.prefix}`
  await writeFile(
    targetFile,
    edit(
      (await readFile(targetFile, 'utf8'))
        .replace('http://127.0.0.1:8080', url)
        .replace(/url: http:\/\/127\.0\.0\.1:9091[^\n]*/, proxy),
    ),
  )
  return { dir, targetFile, url, faults: rates.faults }
}

/** The quote service's source files, as its team's repository holds them. */
const QUOTES_SOURCE = ['server.mjs', 'quote.mjs', 'quote.test.mjs']

/**
 * The quote service's own git repository in `dir`, built from the example's files: trunk (`main`) trusts this
 * machine's gate signer and holds the service's gate file, then the commit that shipped the fx-v2 path dark
 * behind quotes.fx-v2, tagged `fx-v2`. Resolves with that commit.
 */
export async function quotesRepo(dir: string): Promise<{ dir: string; change: string }> {
  await mkdir(dir, { recursive: true })
  await git(dir, ['init', '-q', '-b', 'main'])
  await writeFile(join(dir, '.gitignore'), 'node_modules\n')
  await cp(join(QUOTES_EXAMPLE_DIR, GATE_FILE_NAME), join(dir, GATE_FILE_NAME))
  await writeFile(join(dir, TRUSTED_KEYS_FILE), trustedKeyEntry(await loadGateSigner(process.env, dir)))
  await git(dir, ['add', '-A'])
  await git(dir, ['commit', '-q', '-m', "chore: the quote service's gate"])
  for (const file of QUOTES_SOURCE) await cp(join(QUOTES_EXAMPLE_DIR, file), join(dir, file))
  await git(dir, ['add', '-A'])
  await git(dir, [
    'commit',
    '-q',
    '-m',
    'feat(quotes): price in EUR on the fx-v2 path, dark behind quotes.fx-v2',
  ])
  await git(dir, ['tag', 'fx-v2'])
  return { dir, change: await git(dir, ['rev-parse', 'HEAD']) }
}

/** The target file's `repo`: the repository in `repo/` beside it, its change, and the example's fix patch. */
export const QUOTES_REPO_SECTION = 'repo:\n  path: repo\n  change: fx-v2\n  fix: { patch: fix.patch }\n'
