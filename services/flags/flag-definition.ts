import type { FlagValue } from '@openfeature/core'

/** Unleash's flag types: release and experiment flags are temporary, the others may live on. */
export const FLAG_TYPES = ['release', 'experiment', 'operational', 'kill-switch', 'permission'] as const
export type FlagType = (typeof FLAG_TYPES)[number]

/** Flag types that are expected to be removed, so they must carry `expiresAt` and `removalTicket`. */
export const TEMPORARY_FLAG_TYPES: readonly FlagType[] = ['release', 'experiment']

export const FLAG_LIFECYCLES = ['active', 'completed', 'archived'] as const
export type FlagLifecycle = (typeof FLAG_LIFECYCLES)[number]

export const FLAG_STATES = ['ENABLED', 'DISABLED'] as const
export type FlagState = (typeof FLAG_STATES)[number]

/** flagd allows string, number and boolean metadata values; firedrill's lifecycle fields are strings. */
export type FlagMetadataValue = string | number | boolean

export interface FlagLifecycleMetadata {
  owner: string
  type: FlagType
  /** ISO date (`2026-03-31`) or date-time after which the flag counts as debt. */
  expiresAt?: string
  /** The ticket that tracks removing the flag, like `SHOP-101`. */
  removalTicket?: string
  lifecycle: FlagLifecycle
  [extra: string]: FlagMetadataValue | undefined
}

/** A flagd JSONLogic rule (`{"fractional": [...]}`, `{"if": [...]}`, …). */
export type Targeting = Record<string, unknown>

/** One flag as flagd reads it (`flags.{key}` in a flagd file), with firedrill's lifecycle metadata. */
export interface FlagDefinition {
  state: FlagState
  variants: Record<string, FlagValue>
  defaultVariant: string
  targeting?: Targeting
  metadata: FlagLifecycleMetadata
}

/** A whole flagd flags file. */
export interface FlagsDocument {
  $schema?: string
  flags: Record<string, FlagDefinition>
  metadata?: Record<string, FlagMetadataValue>
}

export const FLAGD_SCHEMA_URL = 'https://flagd.dev/schema/v0/flags.json'

/** The flagd JSON that FlagdCore (or flagd itself) loads for a set of definitions. */
export function toFlagdConfiguration(flags: Record<string, FlagDefinition>): string {
  return JSON.stringify({ $schema: FLAGD_SCHEMA_URL, flags })
}
