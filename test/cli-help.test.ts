import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CliErrorCode } from '../scripts/cli-errors.ts'
import { type CommandDefinition, optionSyntax, usageLines } from '../scripts/command-definition.ts'
import { COMMANDS } from '../scripts/command-table.ts'
import { parseCommandArgs } from '../scripts/parse-command-args.ts'
import { runCliInProcess } from './support/run-cli.ts'

const cli = runCliInProcess
const STACK = /\n\s+at /

/** Every definition in the table: each command's own, or each of its subcommands'. */
const definitions: CommandDefinition[] = COMMANDS.flatMap((c) =>
  c.definition !== undefined ? [c.definition] : [...(c.subcommands ?? [])],
)

describe('usage and --help come from one definition per command', () => {
  it.each(definitions.map((d) => [d.name, d] as const))(
    '%s --help shows every option it accepts, in the usage and in the option list',
    async (name, definition) => {
      const { code, stdout } = await cli([...name.split(' '), '--help'])
      expect(code).toBe(0)
      const usage = usageLines(definition).join('\n')
      for (const [option, spec] of Object.entries(definition.options)) {
        expect(usage, `usage of ${name} lacks --${option}`).toContain(`--${option}`)
        expect(stdout).toContain(optionSyntax(option, spec))
        expect(stdout).toContain(spec.description.slice(0, 30))
      }
      for (const positional of definition.positionals ?? []) expect(stdout).toContain(positional.name)
    },
  )

  it('lists the options serve and dora used to leave out of their help', async () => {
    const serve = (await cli(['serve', '--help'])).stdout
    for (const option of [
      '--api N',
      '--workers M',
      '--port P',
      '--flags-port P',
      '--redis URL',
      '--prefix NAME',
    ])
      expect(serve).toContain(option)
    const dora = (await cli(['dora', '--help'])).stdout
    for (const option of [
      '--repo DIR',
      '--trunk BRANCH',
      '--until DATE',
      '--window DURATION',
      '--compare RUN_A',
    ])
      expect(dora).toContain(option)
  })

  it('shows the same usage on a mistake as --help does', async () => {
    const help = (await cli(['serve', '--help'])).stdout.split('\n')[0]!
    const { code, stderr } = await cli(['serve', '--workers'])
    expect(code).toBe(2)
    expect(stderr).toContain(help)
  })

  it('lists every command and every subcommand in firedrill --help', async () => {
    const { code, stdout } = await cli(['--help'])
    expect(code).toBe(0)
    for (const command of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${command.name}\\b`, 'm'))
    expect(stdout).toContain('flags set KEY on|off --reason TEXT')
    expect((await cli(['help', 'flags'])).stdout).toContain('firedrill flags audit')
    expect((await cli(['help', 'flags', 'set'])).stdout).toContain('--actor NAME')
  })
})

describe('did you mean', () => {
  it('names the closest command for an unknown one', async () => {
    const { code, stderr } = await cli(['serv'])
    expect(code).toBe(2)
    expect(stderr).toContain('Unknown command "serv". Did you mean "serve"?')
    expect(stderr).not.toMatch(STACK)
  })

  it('names the closest option for an unknown one, and says nothing when none is close', async () => {
    const typo = await cli(['run', '--sead', '7'])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain("Unknown option '--sead'. Did you mean --seed?")
    const far = await cli(['serve', '--bogus'])
    expect(far.stderr).toContain("Unknown option '--bogus'.")
    expect(far.stderr).not.toContain('Did you mean')
  })

  it('names the closest subcommand for an unknown one', async () => {
    const { code, stderr } = await cli(['flags', 'lst'])
    expect(code).toBe(2)
    expect(stderr).toContain('Unknown subcommand "lst". Did you mean "list"?')
  })

  it('refuses a missing required option with its code, naming it', () => {
    expect(() => parseCommandArgs(['k', 'on'], definitions.find((d) => d.name === 'flags set')!)).toThrow(
      expect.objectContaining({
        code: CliErrorCode.USAGE,
        message: expect.stringContaining('--reason TEXT'),
      }),
    )
  })
})

describe('--version', () => {
  it.each([['--version'], ['-V']])('%s prints the version package.json holds', async (flag) => {
    const pkg = JSON.parse(await readFile(join(import.meta.dirname, '..', 'package.json'), 'utf8'))
    const { code, stdout } = await cli([flag])
    expect(code).toBe(0)
    expect(stdout).toBe(`firedrill ${pkg.version}\n`)
  })
})
