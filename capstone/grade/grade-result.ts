import type { CriterionId, CriterionKind } from '../criteria.ts'

/** PASS: the evidence holds; FAIL: evidence contradicts it; NOT YET: the evidence is not there yet. */
export type CriterionStatus = 'pass' | 'fail' | 'not-yet'

/** One piece of evidence the grader used: a commit, a gate record, a run, a file, a demonstration step. */
export interface Evidence {
  kind: 'commit' | 'record' | 'run' | 'file' | 'demo'
  /** What it names: a commit id, a run id, a path. */
  ref: string
  detail: string
}

export interface CriterionResult {
  id: CriterionId
  kind: CriterionKind
  title: string
  status: CriterionStatus
  /** One line: why this status. */
  summary: string
  evidence: Evidence[]
  /** When not passed: what to run (from the repository) to produce the missing evidence. */
  next: string[]
  points: number
  maxPoints: number
  durationMs: number
}

export interface GradeReport {
  repository: string
  trunk: string
  trunkCommit: string
  runsDir: string
  /** Where the weights came from: a rubric file, or the defaults. */
  rubric: string
  gradedAt: string
  criteria: CriterionResult[]
  /** Every acceptance criterion passed. */
  passed: boolean
  points: number
  maxPoints: number
}

/** What a criterion's judge returns; the grader adds the title, the points and the time. */
export type Judgement = Pick<CriterionResult, 'status' | 'summary' | 'evidence' | 'next'>

export const pass = (summary: string, evidence: Evidence[]): Judgement => ({
  status: 'pass',
  summary,
  evidence,
  next: [],
})

export const fail = (summary: string, evidence: Evidence[], next: string[]): Judgement => ({
  status: 'fail',
  summary,
  evidence,
  next,
})

export const notYet = (summary: string, evidence: Evidence[], next: string[]): Judgement => ({
  status: 'not-yet',
  summary,
  evidence,
  next,
})
