import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { systemClock } from '../record/clock/clock.ts'
import { JournalWriter } from '../record/journal/journal-writer.ts'
import { loadScenario } from '../record/scenario/load-scenario.ts'
import { DrillJournal } from '../simulator/drill/drill-journal.ts'
import { buildConsoleApp } from '../training/console/console-app.ts'
import { TrainingSession } from '../training/console/training-session.ts'
import { ms, summarize } from './percentiles.ts'

/**
 * From a journal event to the trainee's page: a status update appended to a real journal (written and fsynced),
 * until the trainee's server-sent event stream, read over a real loopback socket, carries it. The target
 * is p99 ≤ 250 ms.
 */
export async function consoleLatency(samples: number): Promise<{ lines: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-bench-console-'))
  const session = new TrainingSession({ loaded: await loadScenario('bad-pricing'), trainee: 'bench' })
  const journal = new DrillJournal(
    await JournalWriter.create(join(dir, 'journal.jsonl'), { clock: systemClock }),
  )
  session.attach(journal)
  const app = buildConsoleApp({ session })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  const controller = new AbortController()
  const response = await fetch(
    `http://127.0.0.1:${address.port}/api/trainee/events?token=${session.tokens.trainee}`,
    { signal: controller.signal },
  )
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let received = ''
  const waiters = new Map<string, () => void>()
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return
        received += decoder.decode(value, { stream: true })
        for (const [marker, resolve] of waiters)
          if (received.includes(marker)) {
            waiters.delete(marker)
            resolve()
          }
        received = received.slice(-200_000)
      }
    } catch {
      // aborted
    }
  })()
  const latencies: number[] = []
  try {
    for (let i = 0; i < samples; i++) {
      const marker = `bench-update-${i}-${Date.now()}`
      const seen = new Promise<void>((resolve) => waiters.set(marker, resolve))
      const start = performance.now()
      await session.postStatus(marker)
      await seen
      latencies.push(performance.now() - start)
      await new Promise((r) => setTimeout(r, 10))
    }
  } finally {
    controller.abort()
    session.close()
    await app.close()
    await journal.close()
    await rm(dir, { recursive: true, force: true })
  }
  const s = summarize(latencies)
  return {
    lines: [
      `journal event → trainee's event stream, ${s.n} status updates (the channel grows with each):`,
      `  p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  max ${ms(s.max)}  (target p99 ≤ 250 ms)`,
    ],
  }
}
