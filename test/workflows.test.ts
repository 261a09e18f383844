import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { validateWorkflow } from '@action-validator/core'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { capstoneGateWorkflow, GATE_CHECK_NAME } from '../capstone/init/gate-workflow.ts'
import { parseGateFile } from '../gate/config/parse-gate-file.ts'

const WORKFLOWS = join(import.meta.dirname, '..', '.github', 'workflows')

/** Every workflow the project runs, and every one it writes into a capstone repository. */
async function workflows(): Promise<[string, string][]> {
  const files = (await readdir(WORKFLOWS)).filter((f) => /\.ya?ml$/.test(f)).sort()
  const own = await Promise.all(
    files.map(
      async (f) => [`.github/workflows/${f}`, await readFile(join(WORKFLOWS, f), 'utf8')] as [string, string],
    ),
  )
  return [...own, ['firedrill init: .github/workflows/firedrill-gate.yml', capstoneGateWorkflow()]]
}

// biome-ignore lint/suspicious/noExplicitAny: a workflow is free-form YAML, read here only to look at its keys
type Workflow = Record<string, any>

describe('GitHub Actions workflows', () => {
  it('are valid against the workflow schema, each of them', async () => {
    const all = await workflows()
    expect(all.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        '.github/workflows/tests.yml',
        '.github/workflows/drill.yml',
        '.github/workflows/gate.yml',
      ]),
    )
    for (const [name, text] of all) expect(validateWorkflow(text).errors, name).toEqual([])
  })

  it('catches a broken workflow, so the check above can fail', () => {
    const broken = capstoneGateWorkflow().replace('runs-on: ubuntu-latest', 'runs-onn: ubuntu-latest')
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0)
  })

  it("runs the capstone's gate as the required check on pull requests and merge queues, with what a fork has", () => {
    const text = capstoneGateWorkflow()
    const workflow = parse(text) as Workflow
    expect(Object.keys(workflow.on)).toEqual(['pull_request', 'merge_group'])
    expect(workflow.permissions).toEqual({ contents: 'read' })
    expect(text).not.toMatch(/secrets\.|pull_request_target/)
    const job = workflow.jobs.gate
    expect(job.name).toBe(GATE_CHECK_NAME)
    const runs = job.steps.map((s: Workflow) => s.run ?? '').join('\n')
    expect(runs).toContain('refs/notes/firedrill')
    expect(runs).toMatch(/firedrill gate --ref HEAD/)
  })

  it("gates the project's own changes with its own gate file", async () => {
    const gate = parse(await readFile(join(WORKFLOWS, 'gate.yml'), 'utf8')) as Workflow
    const runs = gate.jobs.gate.steps.map((s: Workflow) => s.run ?? '').join('\n')
    expect(runs).toContain('firedrill.js gate --ref HEAD')
    const file = await readFile(join(import.meta.dirname, '..', 'firedrill-gate.yaml'), 'utf8')
    expect(parseGateFile(file, 'firedrill-gate.yaml').steps.map((s) => s.name)).toContain('typecheck')
  })
})
