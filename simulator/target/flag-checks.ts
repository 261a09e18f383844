import { constants } from 'node:fs'
import { access, readFile, stat } from 'node:fs/promises'
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path'
import type { LoadedTarget } from '../../record/target/load-target.ts'
import { flipTakesPercent } from './flip-with-command.ts'
import { httpProbe } from './http-probe.ts'
import { readOfrepFlag } from './read-ofrep-flag.ts'
import { check, type TargetCheck } from './target-check.ts'

/**
 * The flag source can be read (the flag is there) and written (firedrill's token is taken, the flagd file and its
 * folder are writable, the flip command is a program that can run), without changing anything.
 */
export function flagChecks(loaded: LoadedTarget, env: NodeJS.ProcessEnv): Promise<TargetCheck>[] {
  const { flag, source } = loaded.target.flags
  const timeoutMs = loaded.target.service.timeoutMs
  switch (source.kind) {
    case 'firedrill': {
      const base = source.url.replace(/\/+$/, '')
      return [
        check('flag readable', async () => {
          const { status, body } = await httpProbe(`${base}/flags`, timeoutMs)
          if (status !== 200) throw new Error(`${base}/flags answered ${status}`)
          const flags =
            (JSON.parse(body) as { flags?: { key: string; defaultVariant?: string }[] }).flags ?? []
          const found = flags.find((f) => f.key === flag)
          if (found === undefined)
            throw new Error(
              `no flag "${flag}" (flags.flag) at ${base}; it has ${flags.map((f) => f.key).join(', ') || 'none'}`,
            )
          return `${flag} is ${found.defaultVariant}`
        }),
        check('flag writable', async () => {
          const token = env[source.tokenEnv]
          if (token === undefined || token === '')
            throw new Error(
              `${source.tokenEnv} is not set (flags.source.tokenEnv): set it to the flag service's token`,
            )
          // A change without a reason is refused after the token is checked and before anything is written.
          const { status } = await httpProbe(`${base}/flags/${encodeURIComponent(flag)}`, timeoutMs, {
            method: 'PUT',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: '{}',
          })
          if (status === 401) throw new Error(`the flag service refused the token in ${source.tokenEnv}`)
          if (status !== 400)
            throw new Error(`the flag service answered ${status} to a change it should refuse`)
          return `the token in ${source.tokenEnv} is accepted`
        }),
      ]
    }
    case 'flagd': {
      const file = loaded.flagsFile!
      return [
        check('flag readable', async () => {
          let document: { flags?: Record<string, { defaultVariant?: string }> }
          try {
            document = JSON.parse(await readFile(file, 'utf8'))
          } catch (err) {
            throw new Error(`cannot read flags file ${file} (flags.source.file): ${(err as Error).message}`)
          }
          const found = document.flags?.[flag]
          if (found === undefined)
            throw new Error(
              `no flag "${flag}" in ${file}; it has ${Object.keys(document.flags ?? {}).join(', ') || 'none'}`,
            )
          return `${flag} is ${found.defaultVariant} in ${file}`
        }),
        check('flag writable', async () => {
          // Written atomically: a new file in the same folder, renamed over the old one.
          for (const path of [file, dirname(file)]) {
            try {
              await access(path, constants.W_OK)
            } catch {
              throw new Error(
                `${path} is not writable: firedrill replaces the flags file atomically in its folder`,
              )
            }
          }
          return `${file} and its folder are writable`
        }),
      ]
    }
    case 'ofrep': {
      const base = source.url.replace(/\/+$/, '')
      return [
        check('flag readable', async () => {
          const { variant, value } = await readOfrepFlag(base, flag, timeoutMs)
          return `${flag} evaluates to ${variant ?? JSON.stringify(value)}`
        }),
        check('flag writable', async () => {
          const program = source.flip[0]!
          const found = await findProgram(program, loaded.dir, env)
          if (found === undefined)
            throw new Error(
              `the flip command's program "${program}" (flags.source.flip[0]) is not an executable file here or on PATH`,
            )
          return flipTakesPercent(source.flip)
            ? `flip runs ${found}; canary steps pass their share as {percent}`
            : `flip runs ${found}; it takes no {percent}, so a canary step above 0 turns ${flag} on for everyone (all or nothing)`
        }),
      ]
    }
  }
}

/** Where `program` would run from: a path (relative to the target file) or a name on PATH; undefined if nowhere. */
async function findProgram(
  program: string,
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const candidates = program.includes('/')
    ? [isAbsolute(program) ? program : resolve(dir, program)]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((p) => join(p, program))
  for (const candidate of candidates) {
    try {
      if ((await stat(candidate)).isFile()) {
        await access(candidate, constants.X_OK)
        return candidate
      }
    } catch {}
  }
  return undefined
}
