/** Copy-on-write walks over JSON values, for the shapes' PII passes. */

type Json = Record<string, unknown>

/** `array.map`, but the same array back when nothing changed. */
export function mapArray(array: unknown[], f: (x: unknown, i: number) => unknown): unknown[] {
  let out: unknown[] | undefined
  array.forEach((x, i) => {
    const y = f(x, i)
    if (y !== x) (out ??= array.slice())[i] = y
  })
  return out ?? array
}

/** The object with `key` set, copied only when the value changed. */
export function withKey<T extends Json>(object: T, key: string, value: unknown): T {
  return object[key] === value ? object : { ...object, [key]: value }
}

/** Every string inside a JSON value (a tool's input object), mapped; copied where changed. */
export function mapStrings(value: unknown, visit: (text: string) => string): unknown {
  if (typeof value === 'string') return visit(value)
  if (Array.isArray(value)) return mapArray(value, (x) => mapStrings(x, visit))
  if (value && typeof value === 'object') {
    let out = value as Json
    for (const [k, v] of Object.entries(value as Json)) out = withKey(out, k, mapStrings(v, visit))
    return out
  }
  return value
}
