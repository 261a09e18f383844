import { describe, expect, it } from 'vitest'
import { GateErrorCode } from '../../gate/gate-errors.ts'
import { gateVerdict } from './gate-verdict.ts'

const gate = (green: boolean, blockedBy: string[] = []) => ({
  commit: 'c'.repeat(40),
  green,
  blockedBy,
  failed: blockedBy,
})
const verdict = (stoppedBy: string | undefined, g: ReturnType<typeof gate>, repeat = false) =>
  gateVerdict({ stoppedBy, repeat, gate: g, scenarioFile: 'scenario.yaml' })

describe("the gate's verdict on a scenario's change", () => {
  it("merges an incident's green change, and fails the drill when the gate refuses it", () => {
    expect(verdict(undefined, gate(true))).toBe('merge')
    expect(() => verdict(undefined, gate(false, ['unit-tests']))).toThrow(
      expect.objectContaining({ code: GateErrorCode.GATE_RED }),
    )
  })

  it('takes a refusal as the outcome of a --again run', () => {
    expect(verdict(undefined, gate(false, ['unit-tests']), true)).toBe('refused')
  })

  it('takes a refusal by the step the scenario names as the outcome, and nothing else', () => {
    expect(verdict('secret-scan', gate(false, ['typecheck', 'secret-scan']))).toBe('refused')
    expect(() => verdict('secret-scan', gate(true))).toThrow(
      "the scenario expects the gate's secret-scan step to refuse the change, but the gate was green: check change.stoppedBy in scenario.yaml against the shop's gate (gate/shop/firedrill-gate.yaml)",
    )
    expect(() => verdict('flag-debt', gate(false, ['secret-scan']))).toThrow(
      /expects the gate's flag-debt step to refuse the change, but only secret-scan refused it/,
    )
  })

  it('lets a change production must refuse through a green gate, and no further when it is red', () => {
    expect(verdict('deploy-verification', gate(true))).toBe('merge')
    expect(() => verdict('deploy-verification', gate(false, ['typecheck']))).toThrow(
      expect.objectContaining({ code: GateErrorCode.GATE_RED }),
    )
  })
})
