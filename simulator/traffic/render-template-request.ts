import type { Faker } from '@faker-js/faker'
import type { DeepReadonly } from '../../record/scenario/deep-freeze.ts'
import { FAKER_FIELD } from '../../record/target/faker-fields.ts'
import type { RequestTemplate } from '../../record/target/target-schema.ts'

/** One request drawn from a target's template: faker fields filled in. */
export interface RenderedRequest {
  method: string
  path: string
  headers: Record<string, string>
  /** The JSON body's text, when the template has one. */
  body?: string
}

/**
 * Draws one request from a template: each `{{faker.module.method}}` in the path, a header or a string of the
 * body is replaced by a fresh value from `faker` (seed it for a replayable run). A body string that is one field
 * alone takes the value as faker gives it (`{{faker.number.int}}` stays a number); in the path a value is
 * URL-encoded. Fields were checked when the target was loaded.
 */
export function renderTemplateRequest(
  template: DeepReadonly<RequestTemplate>,
  faker: Faker,
): RenderedRequest {
  const draw = (module: string, method: string): unknown =>
    (
      (faker as unknown as Record<string, Record<string, () => unknown>>)[module]![method] as () => unknown
    ).call((faker as unknown as Record<string, unknown>)[module])
  const fill = (text: string, encode: (value: string) => string = (v) => v) =>
    text.replace(FAKER_FIELD, (_field, module: string, method: string) =>
      encode(String(draw(module, method))),
    )
  const fillBody = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const alone = new RegExp(`^${FAKER_FIELD.source}$`).exec(value)
      return alone === null ? fill(value) : draw(alone[1]!, alone[2]!)
    }
    if (Array.isArray(value)) return value.map(fillBody)
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillBody(v)]))
    return value
  }
  const headers = Object.fromEntries(Object.entries(template.headers ?? {}).map(([k, v]) => [k, fill(v)]))
  return {
    method: template.method,
    path: fill(template.path, encodeURIComponent),
    headers,
    ...(template.body === undefined ? {} : { body: JSON.stringify(fillBody(template.body)) }),
  }
}
