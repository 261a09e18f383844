import { defineCommand } from '../command-definition.ts'

export const gradeDefinition = defineCommand({
  name: 'grade',
  summary: "check the capstone's criteria from the repository's evidence (0 all pass, 1 not yet)",
  description:
    "Checks each capstone criterion from the repository's own evidence (trunk history, gate ledger, runs' " +
    'journals, postmortems, flags file) and says PASS, FAIL or NOT YET, with the evidence it used and, when not ' +
    'passed, the command that would produce it. Forced reds run in a throwaway copy: grading never changes the ' +
    'repository it grades. Exit 0 only when every acceptance criterion passes.',
  options: {
    repo: { type: 'string', value: 'DIR', default: '.', description: 'the capstone repository' },
    runs: { type: 'string', value: 'DIR', description: "the drills' runs (default <repo>/.firedrill/runs)" },
    rubric: {
      type: 'string',
      value: 'FILE',
      description: 'criteria weights for points (default <repo>/capstone-rubric.yaml when it exists)',
    },
    json: { type: 'boolean', description: 'print the grade as JSON' },
    junit: { type: 'string', value: 'FILE', description: 'also write JUnit XML, one testcase per criterion' },
    markdown: {
      type: 'string',
      value: 'FILE',
      description: 'also write Markdown (for $GITHUB_STEP_SUMMARY)',
    },
    classroom: {
      type: 'string',
      value: 'FILE',
      description:
        "also write GitHub Classroom's autograding result (JSON; base64 it into the step's result output)",
    },
    'no-demo': {
      type: 'boolean',
      description: 'skip the forced-red demonstration (criterion 1 stays NOT YET): a quick look',
    },
  },
  examples: [
    'npx firedrill grade',
    'npx firedrill grade --markdown "$GITHUB_STEP_SUMMARY" --junit grade.xml',
  ],
})
