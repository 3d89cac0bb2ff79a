/**
 * The building blocks of `projects.<p>.rules`: a condition kind or an action kind is one file that
 * calls `defineCondition` / `defineAction` with its params (zod) and how it compiles — once per
 * policy, into a closure the guard calls per request. Registered in `index.ts`.
 */
import { z } from 'zod'

/** What a rule sees of a request. Text and token estimates are computed on first use, once. */
export interface RuleSubject {
  /** The model alias the request goes to now (a `route` action changes it for later rules). */
  alias: string
  /** The request body; actions replace it (copy on write), never mutate the client's object. */
  body: Record<string, unknown>
  header(name: string): string | undefined
  /** The client's address as Cloudflare reports it (`CF-Connecting-IP`); undefined locally. */
  clientIp: string | undefined
  text(scope: TextScope): string
  promptTokens(): number
}

export type TextScope = 'messages' | 'last_user' | 'system'

export type Check = (subject: RuleSubject) => boolean

/** What an action did; a block stops the request with its status and message. */
export type ActionResult = { block: { status: 400 | 403 | 422 | 429; message: string } } | undefined
export type Act = (subject: RuleSubject) => ActionResult

export function defineCondition<K extends string, S extends z.ZodRawShape>(def: {
  kind: K
  params: z.ZodObject<S>
  /** Cross-field checks (`{ path, message }` issues), beyond what the params schema says. */
  refine?: (params: z.output<z.ZodObject<S>>) => { path: string[]; message: string } | undefined
  compile: (params: z.output<z.ZodObject<S>>) => Check
}) {
  const schema = z.strictObject({ kind: z.literal(def.kind), ...def.params.shape }).superRefine((value, ctx) => {
    const problem = def.refine?.(value as z.output<z.ZodObject<S>>)
    if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message })
  })
  return { ...def, schema }
}

export function defineAction<K extends string, S extends z.ZodRawShape>(def: {
  kind: K
  params: z.ZodObject<S>
  refine?: (params: z.output<z.ZodObject<S>>) => { path: string[]; message: string } | undefined
  compile: (params: z.output<z.ZodObject<S>>) => Act
}) {
  const schema = z.strictObject({ kind: z.literal(def.kind), ...def.params.shape }).superRefine((value, ctx) => {
    const problem = def.refine?.(value as z.output<z.ZodObject<S>>)
    if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message })
  })
  return { ...def, schema }
}

/** `{ gt, lt }` bounds as in several conditions: at least one, and a sane range. */
export const bounds = {
  gt: z.int().min(0).optional(),
  lt: z.int().min(1).optional(),
}
export function refineBounds(p: { gt?: number; lt?: number }): { path: string[]; message: string } | undefined {
  if (p.gt === undefined && p.lt === undefined) return { path: ['gt'], message: 'give `gt`, `lt` or both' }
  if (p.gt !== undefined && p.lt !== undefined && p.lt <= p.gt + 1) return { path: ['lt'], message: 'leaves no value between `gt` and `lt`' }
  return undefined
}
export const inBounds = (value: number, p: { gt?: number; lt?: number }): boolean =>
  (p.gt === undefined || value > p.gt) && (p.lt === undefined || value < p.lt)
