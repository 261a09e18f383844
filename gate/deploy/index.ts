/** Rolling deploys of one artifact to named environments: what the drill and the command line use. */

export { type CheckOutcome, runCheck } from './check-outcome.ts'
export { type DeployOptions, type DeployResult, deployArtifact } from './deploy-artifact.ts'
export type { DeployEvent, DeployEventType } from './deploy-event.ts'
export {
  ARTIFACT_COMMIT_HEADER,
  ARTIFACT_HASH_HEADER,
  artifactRef,
  Environment,
  type EnvironmentOptions,
  type SlotReport,
} from './environment.ts'
export { type HealthCheck, type ReadyzCheckOptions, readyzCheck } from './health-check.ts'
export { type OrderSmokeCheckOptions, orderSmokeCheck, type SmokeCheck } from './smoke-check.ts'
