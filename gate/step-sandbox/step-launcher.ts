import { access, constants, mkdir, realpath } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { type ProcessOutcome, runProcess } from '../runner/run-process.ts'
import { bubblewrapArgs } from './bubblewrap-args.ts'
import type { SandboxState } from './sandbox-state.ts'
import { stepEnvironment } from './step-environment.ts'
import { copyStepTree } from './step-tree.ts'

/** Inside the sandbox the network is the step's own: its Redis can take the usual port. */
const SANDBOX_REDIS_URL = 'redis://127.0.0.1:6379'

/** Waits (at most 5 s) for the sandbox's Redis to answer a PING, with redis-cli: no node to start. */
const PING_REDIS = (redisCli: string) =>
  `i=0; until [ "$(${redisCli} -p 6379 ping 2>/dev/null)" = PONG ]; do i=$((i+1)); if [ $i -gt 250 ]; then echo "firedrill: the sandbox Redis did not start: $(tail -c 400 /tmp/redis.log)" >&2; exit 1; fi; sleep 0.02; done`

/** Waits (at most 5 s) for the sandbox's Redis to accept connections, where there is no redis-cli. */
const WAIT_FOR_REDIS = `const net=require('node:net');const until=Date.now()+5000;const tryIt=()=>{const s=net.connect(6379,'127.0.0.1');s.once('connect',()=>{s.destroy();process.exit(0)});s.once('error',()=>{s.destroy();if(Date.now()>until){console.error('firedrill: the sandbox Redis did not start: '+require('node:fs').readFileSync('/tmp/redis.log','utf8').slice(-400));process.exit(1)}setTimeout(tryIt,20)})};tryIt()`

export interface StepRunOptions {
  shell: boolean
  /** The step needs a Redis (test steps): a private one inside the sandbox, else the gate's. */
  redis: boolean
  timeoutMs: number
}

export interface StepProcess {
  /** The step's own copy of the commit. */
  readonly dir: string
  run(command: string, args: readonly string[], options: StepRunOptions): Promise<ProcessOutcome>
}

export interface StepLauncherOptions {
  /** The gate's pristine checkout of the commit, which only the gate reads. */
  checkout: string
  /** A private directory for the steps' copies and homes. */
  scratch: string
  sandbox: SandboxState
  /** The bubblewrap executable, when sandboxed. */
  bwrap?: string
  /** The gate's own environment (only locale and time zone reach the steps). */
  env: NodeJS.ProcessEnv
  /** The Redis an unsandboxed test step uses. */
  hostRedis: () => Promise<string>
}

async function which(name: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(':')) {
    const candidate = join(dir, name)
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate
  }
  return undefined
}

const underUsr = (path: string) => path.startsWith('/usr/')

/**
 * Starts the processes of the steps that run the commit's code (`run`, typecheck, tests). Each step gets a fresh
 * copy of the commit and an environment built from nothing; sandboxed, it runs under bubblewrap with no network
 * and sees nothing but its copy, read-only system files and node_modules, and its test steps get a Redis started
 * inside the sandbox. Unsandboxed, only the scrubbed environment and the separate copy stand between it and
 * the machine.
 */
export class StepLauncher {
  private count = 0

  constructor(private readonly options: StepLauncherOptions) {}

  /** Steps run under bubblewrap: nothing they run can reach outside their own copy. */
  get sandboxed(): boolean {
    return this.options.sandbox.kind === 'bubblewrap' && this.options.bwrap !== undefined
  }

  async prepare(stepName: string): Promise<StepProcess> {
    this.count += 1
    const slug = `${this.count}-${stepName.replace(/[^A-Za-z0-9._-]/g, '-')}`
    const dir = join(this.options.scratch, 'steps', slug)
    await copyStepTree(this.options.checkout, dir)
    const home = join(this.options.scratch, 'homes', slug)
    await mkdir(home, { recursive: true })
    return { dir, run: (command, args, run) => this.run(dir, home, command, args, run) }
  }

  private async run(
    dir: string,
    home: string,
    command: string,
    args: readonly string[],
    options: StepRunOptions,
  ): Promise<ProcessOutcome> {
    const inner = options.shell ? ['/bin/sh', '-c', command] : [command, ...args]
    const sandboxed = this.sandboxed
    if (!sandboxed) {
      const env = stepEnvironment({
        base: this.options.env,
        stepDir: dir,
        home,
        tmp: home,
        keepPath: true,
        ...(options.redis ? { redisUrl: await this.options.hostRedis() } : {}),
      })
      return runProcess(inner[0]!, inner.slice(1), { cwd: dir, env, timeoutMs: options.timeoutMs })
    }
    const readOnly = new Set<string>()
    const modules = await realpath(join(dir, 'node_modules')).catch(() => undefined)
    if (modules !== undefined) readOnly.add(modules)
    if (!underUsr(process.execPath)) readOnly.add(dirname(dirname(process.execPath)))
    let launch = inner
    if (options.redis) {
      const redisServer = await which(
        'redis-server',
        `/usr/local/bin:/usr/bin:/bin:${this.options.env.PATH ?? ''}`,
      )
      if (redisServer === undefined)
        throw new Error(
          'redis-server is not installed: test steps run a private Redis inside the sandbox (apt-get install redis-server)',
        )
      // redis-server is often a link to redis-check-rdb, and behaves by the name it is started as.
      for (const path of [redisServer, await realpath(redisServer)])
        if (!underUsr(path)) readOnly.add(dirname(path))
      // redis-cli comes with redis-server; asking it beats starting node just to wait.
      const redisCli = await which('redis-cli', dirname(redisServer))
      if (redisCli !== undefined)
        for (const path of [redisCli, await realpath(redisCli)])
          if (!underUsr(path)) readOnly.add(dirname(path))
      const script = [
        `${redisServer} --port 6379 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir /tmp --logfile /tmp/redis.log || exit 1`,
        redisCli === undefined ? `node -e "$FIREDRILL_WAIT_FOR_REDIS" || exit 1` : PING_REDIS(redisCli),
        'unset FIREDRILL_WAIT_FOR_REDIS',
        'exec "$@"',
      ].join('\n')
      launch = ['/bin/sh', '-c', script, 'firedrill-step', ...inner]
    }
    const env = {
      ...stepEnvironment({
        base: this.options.env,
        stepDir: dir,
        home: '/tmp/home',
        tmp: '/tmp',
        keepPath: false,
        ...(options.redis ? { redisUrl: SANDBOX_REDIS_URL } : {}),
      }),
      ...(options.redis ? { FIREDRILL_WAIT_FOR_REDIS: WAIT_FOR_REDIS } : {}),
    }
    const sandboxArgs = [...bubblewrapArgs({ stepDir: dir, readOnly: [...readOnly] }, env), '--', ...launch]
    return runProcess(this.options.bwrap!, sandboxArgs, { cwd: dir, env: {}, timeoutMs: options.timeoutMs })
  }
}
