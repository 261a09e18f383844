import type { JournalEvent } from '../../../record/journal/journal-event.ts'
import type { WatchOutcome } from './post-deploy-watch.ts'

/**
 * Whether the post-deploy watch caught the change at deploy time: it breached before anybody was paged (the journal
 * says which came first), and its rollback is done. Resolves at the first of the watch's verdict and the page; a
 * breach journalled before the page waits for the rollback to finish.
 */
export async function caughtAtDeploy(
  watch: { outcome(): Promise<WatchOutcome> },
  paged: Promise<unknown>,
  events: () => readonly JournalEvent[],
): Promise<boolean> {
  const first = await Promise.race([watch.outcome(), paged.then(() => 'paged' as const)])
  if (first !== 'paged') return first === 'breached'
  const journal = events()
  const breached = journal.findIndex((e) => e.type === 'deploy.watch.breached')
  const page = journal.findIndex((e) => e.type === 'page.sent')
  if (breached === -1 || (page !== -1 && page < breached)) return false
  return (await watch.outcome()) === 'breached'
}
