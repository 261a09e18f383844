import type { EventDetails, EventHandler, ProviderEvents } from '@openfeature/server-sdk'

interface HandlerTarget {
  addHandler(event: ProviderEvents, handler: EventHandler): void
  removeHandler(event: ProviderEvents, handler: EventHandler): void
}

/**
 * Resolves with the details of the next `event` a provider's emitter or an OpenFeature client reports;
 * rejects after `timeoutMs`. For tests that wait for events instead of sleeping.
 */
export function nextProviderEvent(
  target: HandlerTarget,
  event: ProviderEvents,
  timeoutMs = 10_000,
): Promise<EventDetails | undefined> {
  return new Promise((resolve, reject) => {
    const handler: EventHandler = (details) => {
      clearTimeout(timer)
      target.removeHandler(event, handler)
      resolve(details)
    }
    const timer = setTimeout(() => {
      target.removeHandler(event, handler)
      reject(new Error(`no ${event} event in ${timeoutMs} ms`))
    }, timeoutMs)
    target.addHandler(event, handler)
  })
}
