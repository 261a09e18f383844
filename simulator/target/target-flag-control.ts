import { readFile } from 'node:fs/promises'
import type { LoadedTarget } from '../../record/target/load-target.ts'
import { flagPercent, OFF, rolloutChange } from '../../services/flags/flag-state.ts'
import { FlagsHttpClient } from '../../services/flags/flags-http-client.ts'
import { readRollout } from '../../services/flags/rollout-targeting.ts'
import { releaseInFlagdFile, setFlagdVariant } from './flagd-file-flags.ts'
import { flipTakesPercent, flipWithCommand } from './flip-with-command.ts'
import { readOfrepFlag } from './read-ofrep-flag.ts'

/**
 * The target's flag, read and flipped through the source its target file names: firedrill's flag service, a
 * flagd flags file, or OFREP with a flip command. Every change says who made it and why where the source keeps an
 * audit (firedrill's flag service); the drill journals each one itself.
 */
export interface TargetFlagControl {
  readonly flag: string
  /** Where the flag lives, for people: a URL, a file, or the flip command. */
  readonly where: string
  /**
   * Whether a release step reaches only its share of keys: false for a flip command without `{percent}`, where any
   * step above 0 turns the flag on for everyone.
   */
  readonly percentages: boolean
  /** Serves "on" to `percent` of targeting keys (a flip command without `{percent}`: any step above 0 is 100). */
  release(percent: number, reason: string, actor: string): Promise<{ percent: number }>
  /** The kill switch: "off" for everyone. */
  turnOff(reason: string, actor: string): Promise<void>
  /** "on" for everyone (a degrade switch thrown). */
  turnOn(reason: string, actor: string): Promise<void>
  /** The share of keys the flag serves "on" to now (0 or 100 for an OFREP read). */
  percent(): Promise<number>
}

/**
 * The control of `flag` (the target's `flags.flag` unless another flag of the same source is named, such as a
 * dependency's degrade switch) through the target's `flags.source`; `env` holds the flag service's token.
 */
export function targetFlagControl(
  loaded: LoadedTarget,
  env: NodeJS.ProcessEnv = process.env,
  flag: string = loaded.target.flags.flag,
): TargetFlagControl {
  const { source } = loaded.target.flags
  const timeoutMs = loaded.target.service.timeoutMs
  switch (source.kind) {
    case 'firedrill': {
      const token = env[source.tokenEnv]
      const client = new FlagsHttpClient({ baseUrl: source.url, ...(token === undefined ? {} : { token }) })
      const read = async () => {
        const found = (await client.list()).flags.find((f) => f.key === flag)
        if (found === undefined) throw new Error(`no flag "${flag}" at ${source.url}`)
        return found
      }
      return {
        flag,
        where: source.url,
        percentages: true,
        async release(percent, reason, actor) {
          await client.set(flag, rolloutChange(percent), reason, actor)
          return { percent }
        },
        async turnOff(reason, actor) {
          await client.set(flag, OFF, reason, actor)
        },
        async turnOn(reason, actor) {
          await client.set(flag, rolloutChange(100), reason, actor)
        },
        percent: async () => flagPercent(await read()),
      }
    }
    case 'flagd': {
      const file = loaded.flagsFile!
      return {
        flag,
        where: file,
        percentages: true,
        async release(percent) {
          await releaseInFlagdFile(file, flag, percent)
          return { percent }
        },
        async turnOff() {
          await setFlagdVariant(file, flag, 'off')
        },
        async turnOn() {
          await setFlagdVariant(file, flag, 'on')
        },
        async percent() {
          const document = JSON.parse(await readFile(file, 'utf8')) as {
            flags: Record<string, { state?: string; defaultVariant?: string; targeting?: unknown }>
          }
          const definition = document.flags[flag]
          if (definition === undefined) throw new Error(`no flag "${flag}" in ${file}`)
          if (definition.state === 'DISABLED') return 0
          const rollout = readRollout(definition.targeting)
          if (rollout !== undefined) return rollout.percent
          return definition.defaultVariant === 'off' ? 0 : 100
        },
      }
    }
    case 'ofrep': {
      const percentages = flipTakesPercent(source.flip)
      return {
        flag,
        where: source.flip.join(' '),
        percentages,
        async release(percent) {
          const applied = percentages ? percent : percent > 0 ? 100 : 0
          await flipWithCommand(loaded, applied > 0 ? 'on' : 'off', { env, flag, percent: applied })
          return { percent: applied }
        },
        async turnOff() {
          await flipWithCommand(loaded, 'off', { env, flag, percent: 0 })
        },
        async turnOn() {
          await flipWithCommand(loaded, 'on', { env, flag, percent: 100 })
        },
        async percent() {
          const { variant, value } = await readOfrepFlag(source.url, flag, timeoutMs)
          return variant === 'off' || value === false ? 0 : 100
        },
      }
    }
  }
}
