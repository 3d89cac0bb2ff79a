/**
 * `{ kind: header, name: x-team, equals: research }`, `in: [...]`, or `present: true|false`: a request header.
 *
 * @example when: [{ kind: header, name: x-env, in: [staging, dev] }]
 */
import { z } from 'zod'
import { defineCondition } from './define.ts'

export const valueTest = {
  equals: z.string().optional(),
  in: z.array(z.string()).min(1).optional(),
  present: z.boolean().optional(),
}

export function refineValueTest(p: { equals?: string; in?: string[]; present?: boolean }) {
  const given = [p.equals, p.in, p.present].filter((x) => x !== undefined).length
  return given === 1 ? undefined : { path: ['equals'], message: 'give exactly one of `equals`, `in` and `present`' }
}

export function compileValueTest(p: { equals?: string; in?: string[]; present?: boolean }): (value: string | undefined) => boolean {
  if (p.present !== undefined) return (v) => (v !== undefined) === p.present
  if (p.equals !== undefined) return (v) => v === p.equals
  const allowed = new Set(p.in)
  return (v) => v !== undefined && allowed.has(v)
}

export const header = defineCondition({
  kind: 'header',
  params: z.object({ name: z.string().regex(/^[a-z0-9-]+$/i, 'must be a header name'), ...valueTest }),
  refine: refineValueTest,
  compile: (p) => {
    const test = compileValueTest(p)
    const name = p.name.toLowerCase()
    return (s) => test(s.header(name))
  },
})
