import { parseXml, XmlElement } from '@rgrove/parse-xml'
import type { JunitCase, JunitStatus } from './junit-xml.ts'

/** Reports larger than this, or with more test cases, are not read: whoever wrote them is not trusted. */
export const JUNIT_LIMITS = { bytes: 4 * 1024 * 1024, cases: 20_000, bodyChars: 4_000 } as const

export type ParsedJunit = { ok: true; cases: JunitCase[] } | { ok: false; reason: string }

function elements(node: XmlElement, name: string): XmlElement[] {
  return node.children.filter((c): c is XmlElement => c instanceof XmlElement && c.name === name)
}

function secondsToMs(value: string | undefined): number {
  const n = Number(value)
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 1000) : 0
}

function caseOf(el: XmlElement): JunitCase {
  const outcome = el.children.find(
    (c): c is XmlElement =>
      c instanceof XmlElement && (c.name === 'failure' || c.name === 'error' || c.name === 'skipped'),
  )
  const status: JunitStatus =
    outcome === undefined
      ? 'passed'
      : outcome.name === 'failure'
        ? 'failed'
        : outcome.name === 'error'
          ? 'error'
          : 'skipped'
  const message = outcome?.attributes.message
  const type = outcome?.attributes.type
  const body = outcome?.text.trim().slice(0, JUNIT_LIMITS.bodyChars)
  return {
    classname: el.attributes.classname ?? '',
    name: el.attributes.name ?? '',
    timeMs: secondsToMs(el.attributes.time),
    status,
    ...(message === undefined ? {} : { message }),
    ...(type === undefined ? {} : { type }),
    ...(body === undefined || body === '' ? {} : { body }),
  }
}

/**
 * The test cases of a JUnit report (a `<testsuites>` or a lone `<testsuite>`, suites nested or not), as vitest,
 * Jest, pytest or Maven write it. Never throws: a report that is not well-formed, too large or not JUnit says
 * why instead.
 */
export function parseJunit(text: string): ParsedJunit {
  if (Buffer.byteLength(text) > JUNIT_LIMITS.bytes)
    return { ok: false, reason: `larger than ${JUNIT_LIMITS.bytes} bytes` }
  let root: XmlElement | null
  try {
    root = parseXml(text).root
  } catch (err) {
    return { ok: false, reason: `not well-formed XML: ${(err as Error).message.split('\n')[0]}` }
  }
  if (root === null || (root.name !== 'testsuites' && root.name !== 'testsuite'))
    return { ok: false, reason: `not JUnit XML (root element <${root?.name ?? 'none'}>)` }
  const cases: JunitCase[] = []
  const walk = (suite: XmlElement): boolean => {
    for (const el of elements(suite, 'testcase')) {
      if (cases.length >= JUNIT_LIMITS.cases) return false
      cases.push(caseOf(el))
    }
    for (const inner of elements(suite, 'testsuite')) if (!walk(inner)) return false
    return true
  }
  if (!walk(root)) return { ok: false, reason: `more than ${JUNIT_LIMITS.cases} test cases` }
  return { ok: true, cases }
}
