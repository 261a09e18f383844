import type { ArtifactRef } from '../build/artifact.ts'

export type DeployEventType =
  | 'deploy.started'
  | 'instance.updated'
  | 'health.failed'
  | 'smoke.passed'
  | 'smoke.failed'
  | 'rolled-back'
  | 'deploy.finished'

/** What a deploy tells its caller as it goes, in order, so a drill can journal each step. */
export interface DeployEvent {
  type: DeployEventType
  /** The environment's name. */
  env: string
  /** The artifact being deployed (the same on every event of one deploy). */
  artifact: ArtifactRef
  /** The api slot concerned (instance.updated, health.failed, rolled-back). */
  slot?: number
  /** Why a check failed, or what a rollback did. */
  detail?: string
  /** rolled-back: the artifact the slot runs again (null: it ran nothing before, so it is left empty). */
  rolledBackTo?: ArtifactRef | null
  /** deploy.finished: how the deploy ended. */
  outcome?: 'deployed' | 'rolled-back' | 'rollback-failed' | 'refused'
}
