import { isFiredrillError } from '../services/platform/firedrill-error.ts'
import { UnknownCommandError } from './cli-errors.ts'
import type { CommandEntry } from './command.ts'

/** Loaded lazily, so `firedrill --help` and a usage mistake answer without starting the whole shop's code. */
const commands: readonly CommandEntry[] = [
  {
    name: 'run',
    usage:
      'run [--scenario NAME|PATH] [--seed N] [--responder bot|human] [--out DIR] [--json] | run --again RUN_DIR',
    summary: 'one whole drill; progress on stderr, summary on stdout',
    load: async () => (await import('./commands/run-command.ts')).runCommand,
  },
  {
    name: 'plan',
    usage: 'plan [--scenario NAME|PATH]',
    summary: "preflight checks and the drill's plan, changing nothing",
    load: async () => (await import('./commands/plan-command.ts')).planCommand,
  },
  {
    name: 'payments',
    usage: 'payments fault show|clear|set MODE [--ms N] [--percent P] [--retry-after S]',
    summary: "the payment provider's fault mode, for every process of a running shop",
    load: async () => (await import('./commands/payments-command.ts')).paymentsCommand,
  },
  {
    name: 'serve',
    usage: 'serve [--api N] [--workers M] [--port P] [--redis URL]',
    summary: 'run the shop (api instances, workers, flags) until Ctrl-C',
    load: async () => (await import('./commands/serve-command.ts')).serveCommand,
  },
  {
    name: 'report',
    usage: 'report RUN_DIR [--json]',
    summary: "rebuild a run's timings, summary.json and postmortem from its journal",
    load: async () => (await import('./commands/report-command.ts')).reportCommand,
  },
  {
    name: 'flags',
    usage:
      'flags list [--file F] | set KEY on|off --reason TEXT | audit [--file F] | lifecycle KEY completed|archived --file F',
    summary:
      'flag inventory, the kill switch (token in FIREDRILL_FLAGS_TOKEN), the flag-debt audit, lifecycle',
    load: async () => (await import('./commands/flags-command.ts')).flagsCommand,
  },
  {
    name: 'scenarios',
    usage: 'scenarios [--json]',
    summary: 'the scenario catalog',
    load: async () => (await import('./commands/scenarios-command.ts')).scenariosCommand,
  },
  {
    name: 'gate',
    usage: 'gate [--repo DIR] [--ref REF] [--junit FILE] [--json]',
    summary: 'run the CI gate on a commit and record it in the ledger; gate --show REF reads a record',
    load: async () => (await import('./commands/gate-command.ts')).gateCommand,
  },
  {
    name: 'merge',
    usage: 'merge BRANCH [--repo DIR] [--trunk BRANCH]',
    summary: 'merge into trunk only when the branch head is green in the ledger (0 merged, 1 refused)',
    load: async () => (await import('./commands/merge-command.ts')).mergeCommand,
  },
  {
    name: 'verify',
    usage: 'verify POSTMORTEM [--repo DIR] [--trunk BRANCH] [--json] [--no-replay] [--lint-only]',
    summary: 'action items merged through the gate, bad change replayed red (0 all hold, 1 some fall short)',
    load: async () => (await import('./commands/verify-command.ts')).verifyCommand,
  },
  {
    name: 'postmortem',
    usage: 'postmortem lint FILE [--json]',
    summary: 'lint a postmortem (.json, or the .json beside a .md): 0 clean, 1 problems, 2 unreadable',
    load: async () => (await import('./commands/postmortem-command.ts')).postmortemCommand,
  },
  {
    name: 'slo',
    usage: 'slo rules [--scenario NAME|PATH] [--format prometheus|sloth] [--scaled] [--out FILE]',
    summary:
      "the scenario's SLOs as burn-rate recording and alerting rules for a team's own Prometheus (or sloth)",
    load: async () => (await import('./commands/slo-command.ts')).sloCommand,
  },
  {
    name: 'detect',
    usage: 'detect replay RUN_DIR --rules FILE [--rules FILE…] [--json]',
    summary:
      "replay a drill's SLI series against other burn-rate rules: when each fires, how often in steady state",
    load: async () => (await import('./commands/detect-command.ts')).detectCommand,
  },
  {
    name: 'dora',
    usage: 'dora [--runs DIR] [--events FILE] [--since DATE] [--json|--csv] | dora --compare RUN_A RUN_B',
    summary: "the five DORA metrics from the runs' journals or a fourkeys events file; --compare two runs",
    load: async () => (await import('./commands/dora-command.ts')).doraCommand,
  },
  {
    name: 'proxy',
    usage: 'proxy serve --target URL | proxy fault show|clear|set …',
    summary: "an HTTP fault proxy in front of a service's dependency",
    load: async () => (await import('./commands/proxy-command.ts')).proxyCommand,
  },
]

const HELP = `firedrill: incident drills and the postmortem loop, end to end.

Usage: firedrill <command> [options]

Commands:
${commands.map((c) => `  ${c.usage}\n      ${c.summary}`).join('\n')}

Redis: --redis URL, else REDIS_URL, else a server on 127.0.0.1:6379, else a private redis-server.
`

/** Runs one command line; returns the exit code. Input mistakes print one clear message and exit 2. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP)
    return name === undefined ? 2 : 0
  }
  if (name === '--version') {
    process.stdout.write('firedrill 0.1.0\n')
    return 0
  }
  try {
    const command = commands.find((c) => c.name === name)
    if (command === undefined)
      throw new UnknownCommandError(
        name,
        commands.map((c) => c.name),
      )
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`Usage: firedrill ${command.usage}\n\n${command.summary}\n`)
      return 0
    }
    return await (await command.load()).run(rest)
  } catch (err) {
    if (isFiredrillError(err)) {
      process.stderr.write(`firedrill: ${err.message}\n`)
      return err.exitCode
    }
    process.stderr.write(
      `firedrill: unexpected failure (a bug; please report it):\n${(err as Error)?.stack ?? String(err)}\n`,
    )
    return 1
  }
}
