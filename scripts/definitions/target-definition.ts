import { defineCommand } from '../command-definition.ts'

export const targetCheckDefinition = defineCommand({
  name: 'target check',
  summary: 'load a target file and run its preflight against the live service, changing nothing',
  description:
    'Loads a target file (a service firedrill did not start) and checks, against the running service, everything ' +
    'a drill on it assumes: each instance reachable, healthy and ready; the SLI source (its /metrics with the ' +
    'mapped histogram and labels, or its Prometheus answering the PromQL); a time scale whose windows the scrape ' +
    'interval can see, and what it costs; the flag readable and writable; the repository and gate file. Prints one ' +
    'line per check. Exits 0 when all hold, 1 when one fails, 2 when the file is wrong.',
  positionals: [{ name: 'FILE', description: 'the target file (YAML)' }],
  options: {
    scenario: {
      type: 'string',
      value: 'NAME|PATH',
      description:
        "the scenario whose burn-rate windows the time scale must fit (default: the SRE workbook's 1h/5m and 6h/30m)",
    },
    json: { type: 'boolean', description: 'print the checks as JSON' },
  },
  examples: ['npx firedrill target check examples/shop-target/target.yaml'],
})
