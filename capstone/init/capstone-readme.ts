import { CRITERIA } from '../criteria.ts'
import { GATE_CHECK_NAME, GATE_WORKFLOW_FILE } from './gate-workflow.ts'
import { MISTAKE_LOG_FILE } from './mistake-log-template.ts'

/** The student's README: what the repository holds, the loop to run, and each criterion with its commands. */
export function capstoneReadme(name: string, trunk: string): string {
  const block = (c: (typeof CRITERIA)[number], label: string) => {
    const commands = c.commands.map((command) => `   ${command}`).join('\n')
    return `${label} **${c.title}** (\`${c.id}\`)\n\n   \`\`\`sh\n${commands}\n   \`\`\``
  }
  const acceptance = CRITERIA.filter((c) => c.kind === 'acceptance').map((c, i) => block(c, `${i + 1}.`))
  const stretch = CRITERIA.filter((c) => c.kind === 'stretch').map((c) => block(c, '-'))
  return `# ${name}: a firedrill capstone

This repository is your capstone: a small shop (a checkout api, a fulfilment worker, a flag service), the CI gate
that guards its trunk (\`${trunk}\`), and the evidence that you ran the whole delivery loop on it: ship a risky change
dark behind a flag, recover from it by turning the flag off, learn from it in a blameless postmortem, and ship the
fix through the gate so the same defect cannot come back.

## What is here

| path | what it is |
|---|---|
| \`services/\` | the shop: \`api\`, \`worker\`, \`flags\` (and the payment provider they call, virtualised) |
| \`firedrill-gate.yaml\` | the gate: typecheck, unit and contract tests, secret scan, flag inventory, flag debt |
| \`services/flags/flags.json\` | the flags, each with an owner, a removal ticket and an expiry |
| \`dora/events.json\` | the shop's delivery history (deployments, changes, incidents in fourkeys' tables), for a change-failure-rate governor |
| \`${GATE_WORKFLOW_FILE}\` | the gate as the required check on pull requests and the merge queue (job "${GATE_CHECK_NAME}") |
| \`${MISTAKE_LOG_FILE}\` | your mistake log |
| \`capstone-rubric.yaml\` | how many points each criterion is worth (your teacher may change it) |
| \`.firedrill/runs/\` | your drills' runs: journals, postmortems, and each run's own repository (\`sandbox/\`) |

A merge into \`${trunk}\` needs a green gate record on the branch head: \`firedrill merge BRANCH\` checks it, and so
does the git hook installed here (a plain \`git merge\` into \`${trunk}\` is refused without one, as a required
check would refuse it on a forge). In a fresh clone, run \`npx firedrill hook install\` once. The gate's records
live in git notes: push them with your branches (\`git push origin refs/notes/firedrill\`) and fetch them in a clone
(\`git fetch origin refs/notes/firedrill:refs/notes/firedrill\`), so the grader finds them.

## Check where you stand

\`\`\`sh
npx firedrill grade            # PASS, FAIL or NOT YET per criterion, with its evidence or the command to run
npx firedrill grade --json     # the same for tools; --junit FILE and --markdown FILE for CI
\`\`\`

Grading never changes this repository: the forced reds of criterion 1 run in a throwaway copy.

## The criteria and the commands that produce their evidence

Run them from this directory: a drill writes its run into \`.firedrill/runs/\`, where the grader looks. All five
must pass.

${acceptance.join('\n\n')}

### Stretch goals

They add points when the rubric gives them some.

${stretch.join('\n\n')}
`
}
