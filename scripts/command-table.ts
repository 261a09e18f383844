import type { CommandEntry } from './command.ts'
import { deploysListDefinition, deploysRollbackDefinition } from './definitions/deploys-definition.ts'
import { detectReplayDefinition } from './definitions/detect-definition.ts'
import { doraDefinition } from './definitions/dora-definition.ts'
import {
  flagsAuditDefinition,
  flagsLifecycleDefinition,
  flagsListDefinition,
  flagsSetDefinition,
} from './definitions/flags-definition.ts'
import { gateDefinition } from './definitions/gate-definition.ts'
import { gradeDefinition } from './definitions/grade-definition.ts'
import { hookCheckMergeDefinition, hookInstallDefinition } from './definitions/hook-definition.ts'
import { initDefinition } from './definitions/init-definition.ts'
import { mergeDefinition } from './definitions/merge-definition.ts'
import { paymentsFaultDefinition } from './definitions/payments-definition.ts'
import { planDefinition } from './definitions/plan-definition.ts'
import { postmortemLintDefinition } from './definitions/postmortem-definition.ts'
import { proxyFaultDefinition, proxyServeDefinition } from './definitions/proxy-definition.ts'
import {
  queuePauseDefinition,
  queueResumeDefinition,
  queueStatusDefinition,
} from './definitions/queue-definition.ts'
import { reportDefinition } from './definitions/report-definition.ts'
import { runDefinition } from './definitions/run-definition.ts'
import { scenariosDefinition } from './definitions/scenarios-definition.ts'
import { scoresDefinition } from './definitions/scores-definition.ts'
import { serveDefinition } from './definitions/serve-definition.ts'
import { sloRulesDefinition } from './definitions/slo-definition.ts'
import { targetCheckDefinition } from './definitions/target-definition.ts'
import { trainDefinition } from './definitions/train-definition.ts'
import { verifyDefinition } from './definitions/verify-definition.ts'

/**
 * Every `firedrill` command, in the order `--help` lists them. Usage, `--help` and argument parsing all come
 * from each command's definition (`definitions/`); the command's code is loaded only when it runs, so `--help`
 * and a usage mistake answer without loading the shop.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'run',
    summary: runDefinition.summary,
    definition: runDefinition,
    load: async () => (await import('./commands/run-command.ts')).runCommand,
  },
  {
    name: 'train',
    summary: trainDefinition.summary,
    definition: trainDefinition,
    load: async () => (await import('./commands/train-command.ts')).trainCommand,
  },
  {
    name: 'scores',
    summary: scoresDefinition.summary,
    definition: scoresDefinition,
    load: async () => (await import('./commands/scores-command.ts')).scoresCommand,
  },
  {
    name: 'plan',
    summary: planDefinition.summary,
    definition: planDefinition,
    load: async () => (await import('./commands/plan-command.ts')).planCommand,
  },
  {
    name: 'report',
    summary: reportDefinition.summary,
    definition: reportDefinition,
    load: async () => (await import('./commands/report-command.ts')).reportCommand,
  },
  {
    name: 'verify',
    summary: verifyDefinition.summary,
    definition: verifyDefinition,
    load: async () => (await import('./commands/verify-command.ts')).verifyCommand,
  },
  {
    name: 'postmortem',
    summary: 'the postmortem lint',
    subcommands: [postmortemLintDefinition],
    load: async () => (await import('./commands/postmortem-command.ts')).postmortemCommand,
  },
  {
    name: 'scenarios',
    summary: scenariosDefinition.summary,
    definition: scenariosDefinition,
    load: async () => (await import('./commands/scenarios-command.ts')).scenariosCommand,
  },
  {
    name: 'serve',
    summary: serveDefinition.summary,
    definition: serveDefinition,
    load: async () => (await import('./commands/serve-command.ts')).serveCommand,
  },
  {
    name: 'flags',
    summary:
      'flag inventory, flag-debt audit, lifecycle, and the kill switch (token in FIREDRILL_FLAGS_TOKEN)',
    subcommands: [flagsListDefinition, flagsAuditDefinition, flagsLifecycleDefinition, flagsSetDefinition],
    load: async () => (await import('./commands/flags-command.ts')).flagsCommand,
  },
  {
    name: 'deploys',
    summary: "a running drill's production deploys: list, roll back",
    subcommands: [deploysListDefinition, deploysRollbackDefinition],
    load: async () => (await import('./commands/deploys-command.ts')).deploysCommand,
  },
  {
    name: 'queue',
    summary: "a running drill's fulfilment queue: status, pause, resume",
    subcommands: [queueStatusDefinition, queuePauseDefinition, queueResumeDefinition],
    load: async () => (await import('./commands/queue-command.ts')).queueCommand,
  },
  {
    name: 'payments',
    summary: paymentsFaultDefinition.summary,
    subcommands: [paymentsFaultDefinition],
    load: async () => (await import('./commands/payments-command.ts')).paymentsCommand,
  },
  {
    name: 'gate',
    summary: gateDefinition.summary,
    definition: gateDefinition,
    load: async () => (await import('./commands/gate-command.ts')).gateCommand,
  },
  {
    name: 'merge',
    summary: mergeDefinition.summary,
    definition: mergeDefinition,
    load: async () => (await import('./commands/merge-command.ts')).mergeCommand,
  },
  {
    name: 'hook',
    summary: 'the git hooks that refuse a merge into trunk without a green gate record',
    subcommands: [hookInstallDefinition, hookCheckMergeDefinition],
    load: async () => (await import('./commands/hook-command.ts')).hookCommand,
  },
  {
    name: 'dora',
    summary: doraDefinition.summary,
    definition: doraDefinition,
    load: async () => (await import('./commands/dora-command.ts')).doraCommand,
  },
  {
    name: 'slo',
    summary: sloRulesDefinition.summary,
    subcommands: [sloRulesDefinition],
    load: async () => (await import('./commands/slo-command.ts')).sloCommand,
  },
  {
    name: 'target',
    summary: targetCheckDefinition.summary,
    subcommands: [targetCheckDefinition],
    load: async () => (await import('./commands/target-command.ts')).targetCommand,
  },
  {
    name: 'detect',
    summary: detectReplayDefinition.summary,
    subcommands: [detectReplayDefinition],
    load: async () => (await import('./commands/detect-command.ts')).detectCommand,
  },
  {
    name: 'proxy',
    summary: "an HTTP fault proxy in front of a service's dependency: latency, status codes, resets",
    subcommands: [proxyServeDefinition, proxyFaultDefinition],
    load: async () => (await import('./commands/proxy-command.ts')).proxyCommand,
  },
  {
    name: 'init',
    summary: initDefinition.summary,
    definition: initDefinition,
    load: async () => (await import('./commands/init-command.ts')).initCommand,
  },
  {
    name: 'grade',
    summary: gradeDefinition.summary,
    definition: gradeDefinition,
    load: async () => (await import('./commands/grade-command.ts')).gradeCommand,
  },
]
