/** One row of the fault table: what a fault cost. Every loss figure must be 0. */
export interface FaultRow {
  case: string
  /** Accepted orders that never reached a terminal state, or vanished. */
  lostOrders: number
  /** Orders the provider charged more than once. */
  doubleCharges: number
  /** Orders marked failed although the provider had charged them. */
  chargedButFailed: number
  /** Flags a drill turned on still serving on after the fault (after the lease's TTL + 1 s where it applies). */
  flagsLeftOn: number
  /** Payment or proxy faults still set after the fault. */
  faultsLeftOn: number
  /** Records a forger produced that the ledger accepted. */
  forgedAccepted: number
  /** Processes left running after firedrill ended: a private redis-server, a part of the shop. */
  processesLeft: number
  /** From the fault to everything safe (flags off, faults cleared), when measured. */
  secondsToSafe: number | null
  /** From the fault to the process's exit, when measured. */
  secondsToExit: number | null
  /** What was done, in a few words. */
  note: string
}

export interface FaultContext {
  /** The shared Redis for cases that do not break Redis. */
  redisUrl: string
  /** The bounded version (CI): fewer orders, fewer kills, shorter waits. */
  quick: boolean
}

export interface FaultCase {
  name: string
  run(context: FaultContext): Promise<FaultRow>
}

/** A row with every loss at 0; a case fills in what it measured. */
export function emptyRow(name: string, note: string): FaultRow {
  return {
    case: name,
    lostOrders: 0,
    doubleCharges: 0,
    chargedButFailed: 0,
    flagsLeftOn: 0,
    faultsLeftOn: 0,
    forgedAccepted: 0,
    processesLeft: 0,
    secondsToSafe: null,
    secondsToExit: null,
    note,
  }
}

export const LOSS_COLUMNS = [
  'lostOrders',
  'doubleCharges',
  'chargedButFailed',
  'flagsLeftOn',
  'faultsLeftOn',
  'forgedAccepted',
  'processesLeft',
] as const satisfies readonly (keyof FaultRow)[]
