import { en, Faker } from '@faker-js/faker'
import { didYouMean } from '../../services/platform/did-you-mean.ts'

/** `{{faker.module.method}}` in a request template: drawn afresh for each request. */
export const FAKER_FIELD = /\{\{\s*faker\.([A-Za-z]+)\.([A-Za-z]+)\s*\}\}/g
const ANY_FIELD = /\{\{([^}]*)\}\}/g

const reference = new Faker({ locale: en })

/**
 * What is wrong with the faker fields in `text`, or undefined: a `{{…}}` that is not `faker.module.method`, or
 * one naming a module or method faker does not have (with the closest one it does).
 */
export function fakerFieldProblem(text: string): string | undefined {
  for (const match of text.matchAll(ANY_FIELD)) {
    const inner = match[1]!.trim()
    const parts = /^faker\.([A-Za-z]+)\.([A-Za-z]+)$/.exec(inner)
    if (parts === null) return `{{${inner}}} is not a faker field like {{faker.string.uuid}}`
    const [, moduleName, method] = parts as unknown as [string, string, string]
    const modules = fakerModules()
    const mod = (reference as unknown as Record<string, unknown>)[moduleName]
    if (!modules.includes(moduleName) || typeof mod !== 'object' || mod === null) {
      const hint = didYouMean(moduleName, modules)
      return `faker has no module "${moduleName}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`
    }
    const methods = methodsOf(mod)
    if (!methods.includes(method)) {
      const hint = didYouMean(method, methods)
      return `faker.${moduleName} has no method "${method}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`
    }
  }
  return undefined
}

function fakerModules(): string[] {
  return Object.keys(reference).filter((key) => {
    const value = (reference as unknown as Record<string, unknown>)[key]
    return !key.startsWith('_') && typeof value === 'object' && value !== null && methodsOf(value).length > 0
  })
}

function methodsOf(mod: object): string[] {
  const names = new Set<string>()
  for (
    let proto = Object.getPrototypeOf(mod);
    proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  )
    for (const name of Object.getOwnPropertyNames(proto))
      if (name !== 'constructor' && typeof (mod as Record<string, unknown>)[name] === 'function')
        names.add(name)
  return [...names]
}
