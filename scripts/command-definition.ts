/**
 * One option of a command: how it parses (`type`, `short`, `multiple`, `default`, as node's `parseArgs` takes
 * them) and how it reads in the usage line and `--help` (`value`, `description`). One entry per option.
 */
export interface OptionSpec {
  type: 'string' | 'boolean'
  /** The value's name in the usage line: `N`, `URL`, `DIR`. @defaultValue 'VALUE' */
  value?: string
  short?: string
  multiple?: boolean
  default?: string | boolean
  /** The command refuses to run without it. @defaultValue false */
  required?: boolean
  description: string
}

/** One positional argument: its name in the usage line and what it is. */
export interface PositionalSpec {
  name: string
  description: string
  /** @defaultValue false */
  optional?: boolean
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>

/**
 * Everything the command line knows about a command before loading its code: its usage line, its `--help`,
 * the options it accepts and the mistakes it refuses all come from here.
 */
export interface CommandDefinition<O extends OptionSpecs = OptionSpecs> {
  /** `serve`, or `flags set` for a subcommand. */
  name: string
  /** One line for the command list. */
  summary: string
  /** A paragraph for `--help`. */
  description?: string
  positionals?: readonly PositionalSpec[]
  options: O
  /**
   * Usage lines written by hand, for a command with distinct forms (`dora --compare RUN_A RUN_B`); a test keeps
   * every option in one of them. @defaultValue one line made from the positionals and options
   */
  forms?: readonly string[]
  /** Commands to copy, for `--help`. */
  examples?: readonly string[]
}

/** Keeps an option table's literal types, so parsed values are typed from it. */
export function defineCommand<const O extends OptionSpecs>(
  definition: CommandDefinition<O>,
): CommandDefinition<O> {
  return definition
}

/** `--port P`, `--json`, `--scenario NAME|PATH`: how one option reads in a usage line. */
export function optionSyntax(name: string, spec: OptionSpec): string {
  return spec.type === 'boolean' ? `--${name}` : `--${name} ${spec.value ?? 'VALUE'}`
}

function positionalSyntax(p: PositionalSpec): string {
  return p.optional ? `[${p.name}]` : p.name
}

/** The usage lines: the hand-written forms, or one line of every positional and option. */
export function usageLines(definition: CommandDefinition): string[] {
  if (definition.forms !== undefined && definition.forms.length > 0)
    return definition.forms.map((f) => `firedrill ${f}`)
  const parts = [
    `firedrill ${definition.name}`,
    ...(definition.positionals ?? []).map(positionalSyntax),
    ...Object.entries(definition.options).map(([name, spec]) =>
      spec.required ? optionSyntax(name, spec) : `[${optionSyntax(name, spec)}]`,
    ),
  ]
  return [parts.join(' ')]
}

/** `Usage: firedrill …`, one line per form. */
export function usageText(definition: CommandDefinition): string {
  const lines = usageLines(definition)
  return lines.length === 1 ? `Usage: ${lines[0]}` : `Usage:\n${lines.map((l) => `  ${l}`).join('\n')}`
}

function columns(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length)) + 2
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`.trimEnd())
}

function optionRow(name: string, spec: OptionSpec): [string, string] {
  const short = spec.short === undefined ? '    ' : `-${spec.short}, `
  const extra = [
    spec.required ? 'required' : undefined,
    spec.default !== undefined && spec.default !== false ? `default ${String(spec.default)}` : undefined,
    spec.multiple ? 'may be repeated' : undefined,
  ].filter((x) => x !== undefined)
  return [
    `${short}${optionSyntax(name, spec)}`,
    `${spec.description}${extra.length > 0 ? `; ${extra.join('; ')}` : ''}`,
  ]
}

/** `text` broken into lines of at most `width` characters, at spaces. */
export function wrap(text: string, width = 110): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(line)
  return lines
}

/** The whole `--help` of one command: usage, what it does, its arguments, every option, examples. */
export function helpText(definition: CommandDefinition): string {
  const about = definition.description ?? definition.summary
  const lines = [usageText(definition), '', ...wrap(`${about.charAt(0).toUpperCase()}${about.slice(1)}`)]
  const positionals = definition.positionals ?? []
  if (positionals.length > 0) {
    lines.push('', 'Arguments:', ...columns(positionals.map((p) => [p.name, p.description])))
  }
  const options = Object.entries(definition.options).map(([name, spec]) => optionRow(name, spec))
  options.push(['-h, --help', 'show this help'])
  lines.push('', 'Options:', ...columns(options))
  if (definition.examples !== undefined && definition.examples.length > 0) {
    lines.push('', 'Examples:', ...definition.examples.map((e) => `  ${e}`))
  }
  return `${lines.join('\n')}\n`
}
