import { describe, expect, it } from 'vitest'
import { junitXml } from './junit-xml.ts'
import { JUNIT_LIMITS, parseJunit } from './parse-junit.ts'

describe('JUnit reports', () => {
  it('reads back what it writes: each case with its status, message and time', () => {
    const xml = junitXml('suite', [
      {
        name: 'a',
        cases: [
          { classname: 'c', name: 'ok <1>', timeMs: 1500, status: 'passed' },
          {
            classname: 'c',
            name: 'bad',
            timeMs: 2,
            status: 'failed',
            message: 'no & no',
            body: 'line\n<tail>',
          },
          { classname: 'c', name: 'broken', timeMs: 0, status: 'error', message: 'could not run' },
          { classname: 'c', name: 'later', timeMs: 0, status: 'skipped' },
        ],
      },
    ])
    expect(xml).toContain('<testsuites name="suite" tests="4" failures="1" errors="1"')
    const parsed = parseJunit(xml)
    expect(parsed).toEqual({
      ok: true,
      cases: [
        { classname: 'c', name: 'ok <1>', timeMs: 1500, status: 'passed' },
        {
          classname: 'c',
          name: 'bad',
          timeMs: 2,
          status: 'failed',
          message: 'no & no',
          type: 'failed',
          body: 'line\n<tail>',
        },
        {
          classname: 'c',
          name: 'broken',
          timeMs: 0,
          status: 'error',
          message: 'could not run',
          type: 'error',
        },
        { classname: 'c', name: 'later', timeMs: 0, status: 'skipped' },
      ],
    })
  })

  it('reads nested suites and a lone testsuite root, as other runners write them', () => {
    const nested =
      '<testsuites><testsuite name="x"><testsuite name="y"><testcase classname="k" name="deep" time="0.25"/></testsuite></testsuite></testsuites>'
    expect(parseJunit(nested)).toEqual({
      ok: true,
      cases: [{ classname: 'k', name: 'deep', timeMs: 250, status: 'passed' }],
    })
    expect(parseJunit('<testsuite><testcase name="t" time="nope"><skipped/></testcase></testsuite>')).toEqual(
      {
        ok: true,
        cases: [{ classname: '', name: 't', timeMs: 0, status: 'skipped' }],
      },
    )
  })

  it('says why instead of throwing on what is not a JUnit report', () => {
    expect(parseJunit('<testsuites><testcase')).toMatchObject({ ok: false, reason: /not well-formed XML/ })
    expect(parseJunit('<html><body/></html>')).toEqual({
      ok: false,
      reason: 'not JUnit XML (root element <html>)',
    })
    expect(parseJunit('x'.repeat(JUNIT_LIMITS.bytes + 1))).toMatchObject({ ok: false, reason: /larger than/ })
    const many = `<testsuite>${'<testcase name="t"/>'.repeat(JUNIT_LIMITS.cases + 1)}</testsuite>`
    expect(parseJunit(many)).toMatchObject({ ok: false, reason: /more than 20000 test cases/ })
  })

  it('does not expand entities declared in the report (no billion laughs)', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><testsuite><testcase name="&lol2;"/></testsuite>'
    const parsed = parseJunit(bomb)
    if (parsed.ok) expect(parsed.cases[0]?.name.length ?? 0).toBeLessThan(100)
    else expect(parsed.reason).toMatch(/not well-formed|entity/i)
  })
})
