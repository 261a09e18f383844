/** Acceptance criteria must all pass; stretch goals earn points when a rubric weighs them. */
export type CriterionKind = 'acceptance' | 'stretch'

/** One capstone criterion: what it asks, and the commands that produce its evidence. */
export interface CriterionInfo {
  id: string
  kind: CriterionKind
  title: string
  /** What to run (from the capstone repository) to produce the evidence, in order. */
  commands: readonly string[]
}

/** The capstone's criteria, in the order the grade lists them. The README, the rubric and the grader read this. */
export const CRITERIA = [
  {
    id: 'gate-blocks-red',
    kind: 'acceptance',
    title:
      'A small PR merges only when the gate is green, and a forced red on any blocking step blocks the merge',
    commands: [
      'git switch -c small-change   # edit, then git commit -am "…"',
      'npx firedrill gate --ref small-change',
      'npx firedrill merge small-change   # or git merge: the hook refuses a head without a green record',
    ],
  },
  {
    id: 'dark-release',
    kind: 'acceptance',
    title:
      'The risky change deployed to production dark and was recovered by turning its flag off, with no rollback build, its recovery time recorded as MTTR',
    commands: ['npx firedrill run'],
  },
  {
    id: 'dora-before-after',
    kind: 'acceptance',
    title:
      'A before/after DORA snapshot under the same workload (lead time, deployment frequency, change failure rate, recovery time), measured from the journals and git',
    commands: [
      'npx firedrill run --again .firedrill/runs/RUN_ID',
      'npx firedrill dora --compare RUN_ID AGAIN_RUN_ID',
    ],
  },
  {
    id: 'flag-hygiene',
    kind: 'acceptance',
    title:
      'Every flag has an owner, a removal ticket and an expiry; the demo flag was closed out (completed, its code path removed, archived) after the drill',
    commands: [
      'npx firedrill flags audit --file services/flags/flags.json --root .',
      'npx firedrill run   # its follow-up closes out the release flag',
    ],
  },
  {
    id: 'postmortem-shipped',
    kind: 'acceptance',
    title:
      'The postmortem has an owned, dated, tracked action item that ships a test, a contract or a flag default, merged through the gate',
    commands: ['npx firedrill run', 'npx firedrill verify .firedrill/runs/RUN_ID/postmortem.md'],
  },
  {
    id: 'flag-debt-guard',
    kind: 'stretch',
    title: "A flag-debt guard in CI: a blocking flag-debt step in trunk's gate file, run by the workflow",
    commands: ['# keep the flag-debt step in firedrill-gate.yaml, blocking; the gate workflow runs it'],
  },
  {
    id: 'cfr-governor',
    kind: 'stretch',
    title: "A change-failure-rate governor: a blocking cfr-governor step in trunk's gate file",
    commands: [
      '# add a blocking cfr-governor step to firedrill-gate.yaml, with.events naming a fourkeys export',
      'npx firedrill dora --json > dora-events.json   # its tables are such an export',
    ],
  },
  {
    id: 'test-stops-bad-change',
    kind: 'stretch',
    title: 'A property-based or contract test that fails the gate on the deliberate bad change',
    commands: ['npx firedrill run   # its fix adds the test; the replay of the bad change must be red on it'],
  },
  {
    id: 'contract-drill',
    kind: 'stretch',
    title:
      'A second drill whose fix is a contract assertion at a service boundary, after which the same defect can no longer reach trunk',
    commands: [
      'npx firedrill run --scenario contract-break   # the fix adds a contract test between api and worker',
    ],
  },
  {
    id: 'mistake-log',
    kind: 'stretch',
    title:
      'The mistake log: at least five real mistakes, two with a counterexample or failing test linked to a commit, one correction that changes code, a command or a design decision',
    commands: ['# one row per real mistake in MISTAKES.md, repair evidence linking its commit'],
  },
] as const satisfies readonly CriterionInfo[]

export type CriterionId = (typeof CRITERIA)[number]['id']

export const CRITERION_IDS: readonly CriterionId[] = CRITERIA.map((c) => c.id)
