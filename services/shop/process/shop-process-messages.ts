import type { ShopPartRole } from '../part/shop-part-config.ts'

/** The launcher's first message to a shop process: its configuration (kept off the command line, which `ps` shows). */
export interface ShopProcessConfigMessage {
  type: 'config'
  config: unknown
}

/** The process's answer once its part takes requests or jobs. */
export interface ShopProcessReadyMessage {
  ready: true
  role: ShopPartRole
  instance: string
  url: string
  metricsUrl: string
  pid: number
}

/** …or, instead, why it could not start (then it exits with `error.exitCode`). */
export interface ShopProcessFailedMessage {
  ready: false
  error: { code?: string; message: string; exitCode: number }
}

export type ShopProcessMessage = ShopProcessReadyMessage | ShopProcessFailedMessage

export function isShopProcessMessage(value: unknown): value is ShopProcessMessage {
  if (typeof value !== 'object' || value === null) return false
  const ready = (value as { ready?: unknown }).ready
  if (ready === true) {
    const { url, metricsUrl, pid, role } = value as Partial<ShopProcessReadyMessage>
    return typeof url === 'string' && typeof metricsUrl === 'string' && typeof pid === 'number' && !!role
  }
  if (ready === false) {
    const error = (value as { error?: { message?: unknown; exitCode?: unknown } }).error
    return typeof error?.message === 'string' && typeof error.exitCode === 'number'
  }
  return false
}

export function isShopProcessConfigMessage(value: unknown): value is ShopProcessConfigMessage {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'config'
}
