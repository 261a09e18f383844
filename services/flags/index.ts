/** The flags part's public entry point: what the api, the shop launcher, the command line and drills use. */

export { createFlagdCore } from './bucketing/create-flagd-core.ts'
export { createFlagClient, type FlagClient, type FlagClientOptions } from './create-flag-client.ts'
export { type CreateFlagStoreOptions, createFlagStore } from './create-flag-store.ts'
export { applyFlagChange, describeFlag, type FlagChange } from './flag-change.ts'
export * from './flag-definition.ts'
export type {
  FlagAuditEntry,
  FlagChangeMessage,
  FlagChangeResult,
  FlagStore,
  FlagsSnapshot,
} from './flag-store.ts'
export { buildFlagsApp, type FlagsAppOptions } from './flags-app.ts'
export * from './flags-errors.ts'
export { FlagsHttpClient, type FlagsHttpClientOptions, type OfrepAnswer } from './flags-http-client.ts'
export { flagKeys } from './flags-keys.ts'
export type * from './flags-schemas.ts'
export { FLAGS_TOKEN_ENV, type FlagsToken, resolveFlagsToken, tokensMatch } from './flags-token.ts'
export { DEFAULT_FLAGS_FILE, loadFlagsFile, parseFlagsDocument } from './load-flags-file.ts'
export {
  type AnyFlagEvaluation,
  type FlagSyncState,
  RedisFlagProvider,
  type RedisFlagProviderOptions,
} from './redis-flag-provider.ts'
export { RedisFlagStore } from './redis-flag-store.ts'
export { type Rollout, readRollout, rolloutTargeting } from './rollout-targeting.ts'
