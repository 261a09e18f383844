import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { parseGateDuration } from '../gate/config/gate-duration.ts'
import { parseGateFile } from '../gate/config/parse-gate-file.ts'
import { GateErrorCode, type GateFileInvalidError } from '../gate/gate-errors.ts'
import { createFixtureRepo, type FixtureRepo } from '../gate/testing/fixture-repo.ts'
import { runCliInProcess } from './support/run-cli.ts'

function problemsOf(text: string): { code: string; paths: string[] } {
  try {
    parseGateFile(text, 'firedrill-gate.yaml')
  } catch (err) {
    const e = err as GateFileInvalidError
    return { code: e.code, paths: e.problems.map((p) => p.path) }
  }
  throw new Error('expected the gate file to be refused')
}

describe('gate file', () => {
  it('applies the defaults: trunk main, blocking, 10m timeout, no needs', () => {
    const gate = parseGateFile('version: 1\nsteps:\n  - name: lint\n    run: "true"\n', 'f')
    expect(gate.trunk).toBe('main')
    expect(gate.steps[0]).toEqual({
      name: 'lint',
      kind: 'run',
      run: 'true',
      blocking: true,
      timeoutMs: 600_000,
      needs: [],
    })
    expect(Object.isFrozen(gate.steps[0])).toBe(true)
  })

  it('takes sandbox: required or auto (the default), and refuses anything else naming the field', () => {
    expect(parseGateFile('version: 1\nsteps:\n  - name: a\n    run: x\n', 'f').sandbox).toBe('auto')
    expect(
      parseGateFile('version: 1\nsandbox: required\nsteps:\n  - name: a\n    run: x\n', 'f').sandbox,
    ).toBe('required')
    expect(problemsOf('version: 1\nsandbox: maybe\nsteps:\n  - name: a\n    run: x\n').paths).toEqual([
      'sandbox',
    ])
  })

  it('refuses an unknown key, naming its field path', () => {
    const { code, paths } = problemsOf('version: 1\nsteps:\n  - name: a\n    run: x\n    colour: red\n')
    expect(code).toBe(GateErrorCode.GATE_FILE_INVALID)
    expect(paths).toEqual(['steps[0].colour'])
  })

  it('refuses a step with both run and uses, and one with neither', () => {
    const { paths } = problemsOf(
      'version: 1\nsteps:\n  - name: a\n    run: x\n    uses: typecheck\n  - name: b\n    blocking: false\n',
    )
    expect(paths).toEqual(['steps[0]', 'steps[1]'])
  })

  it('refuses a bad timeout, an unknown built-in and a need that is not an earlier step', () => {
    expect(problemsOf('version: 1\nsteps:\n  - name: a\n    run: x\n    timeout: soon\n').paths).toEqual([
      'steps[0].timeout',
    ])
    expect(problemsOf('version: 1\nsteps:\n  - name: a\n    run: x\n    timeout: 2h\n').paths).toEqual([
      'steps[0].timeout',
    ])
    expect(problemsOf('version: 1\nsteps:\n  - name: a\n    uses: lint\n').paths).toEqual(['steps[0].uses'])
    expect(
      problemsOf('version: 1\nsteps:\n  - name: a\n    run: x\n    needs: [b]\n  - name: b\n    run: y\n')
        .paths,
    ).toEqual(['steps[0].needs[0]'])
  })

  it('refuses duplicate names, options for the wrong step, a missing version and YAML errors', () => {
    expect(
      problemsOf('version: 1\nsteps:\n  - name: a\n    run: x\n  - name: a\n    run: y\n').paths,
    ).toEqual(['steps[1].name'])
    expect(
      problemsOf('version: 1\nsteps:\n  - name: a\n    uses: typecheck\n    with: { flagsFile: f.json }\n')
        .paths,
    ).toEqual(['steps[0].with.flagsFile'])
    expect(problemsOf('steps:\n  - name: a\n    run: x\n').paths).toEqual(['version'])
    expect(problemsOf('version: 1\nsteps: [\n').code).toBe(GateErrorCode.GATE_FILE_INVALID)
  })

  it('takes isolate on test steps only, as true or false', () => {
    const gate = parseGateFile(
      'version: 1\nsteps:\n  - name: u\n    uses: unit-tests\n    with: { isolate: false }\n  - name: c\n    uses: contract-tests\n',
      'f',
    )
    expect(gate.steps.map((s) => s.isolate)).toEqual([false, undefined])
    expect(
      problemsOf('version: 1\nsteps:\n  - name: a\n    uses: typecheck\n    with: { isolate: false }\n')
        .paths,
    ).toEqual(['steps[0].with.isolate'])
    expect(
      problemsOf('version: 1\nsteps:\n  - name: a\n    uses: unit-tests\n    with: { isolate: sometimes }\n')
        .paths,
    ).toEqual(['steps[0].with.isolate'])
  })

  it('reads back every duration it accepts, and nothing with units out of order', () => {
    fc.assert(
      fc.property(fc.nat(23), fc.nat(59), fc.nat(59), fc.nat(999), (h, m, s, ms) => {
        const parts = [
          h > 0 ? `${h}h` : '',
          m > 0 ? `${m}m` : '',
          s > 0 ? `${s}s` : '',
          ms > 0 ? `${ms}ms` : '',
        ].join('')
        if (parts === '') return
        expect(parseGateDuration(parts)).toBe(((h * 60 + m) * 60 + s) * 1000 + ms)
      }),
    )
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 99 }), (a, b) => {
        expect(parseGateDuration(`${a}s${b}m`)).toBeUndefined()
        expect(parseGateDuration(`${a}m${b}m`)).toBeUndefined()
      }),
    )
  })
})

describe('firedrill gate with a bad gate file', () => {
  let repo: FixtureRepo | undefined
  afterEach(async () => {
    await repo?.remove()
  })

  it('exits 2 naming the file and the field', async () => {
    repo = await createFixtureRepo(
      {},
      'version: 1\nsteps:\n  - name: a\n    run: "touch ran"\n  - name: b\n    run: "true"\n    timeout: forever\n',
    )
    const { code, stderr } = await runCliInProcess(['gate', '--repo', repo.dir])
    expect(code).toBe(2)
    expect(stderr).toContain('firedrill-gate.yaml')
    expect(stderr).toContain('steps[1].timeout')
    expect(stderr).not.toMatch(/\n\s+at /)
  })

  it('exits 2 when the commit has no gate file', async () => {
    repo = await createFixtureRepo({}, 'version: 1\nsteps:\n  - name: a\n    run: "true"\n')
    await repo.commit({ 'firedrill-gate.yaml': null })
    const { code, stderr } = await runCliInProcess(['gate', '--repo', repo.dir])
    expect(code).toBe(2)
    expect(stderr).toContain('No gate file')
  })
})
