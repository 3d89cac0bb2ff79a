/**
 * How deep a parsed JSON value nests, found without recursion (an explicit stack), and stopped as
 * soon as it passes the limit. `JSON.parse` itself is iterative in V8, but everything after it
 * that walks a body (the canonical cache key, the PII scan, JSON.stringify) recurses: a body
 * nested 100k levels deep would overflow the stack there. The validate stage refuses such bodies
 * first, with a 400.
 */

/** The deepest nesting any request body may have (objects and arrays; the body itself is level 1). */
export const MAX_JSON_DEPTH = 64

export function jsonDepthExceeds(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false
  const stack: [object, number][] = [[value, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (depth > max) return true
    const children = Array.isArray(node) ? node : Object.values(node)
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1])
  }
  return false
}
