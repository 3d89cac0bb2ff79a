/**
 * Drives a gateway app inside workerd the way real traffic would: each request gets its own
 * execution context, and waits for the previous request's `waitUntil` work (cache writes, the
 * semantic insert, a stream's end), as two requests a moment apart would. The official `openai`
 * client is the caller.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import type { Hono } from 'hono'
import OpenAI from 'openai'
import type { AppEnv, GatewayEnv } from '../src/env.ts'

/** Work left in waitUntil by earlier requests, whichever app served them. */
let pending: Promise<unknown>[] = []

/** One app = one isolate (its own L0 and mirrors); KV, D1 and Redis are shared, as in production. */
export function driveGateway(app: Hono<AppEnv>, defaultKey: string, overrides: Partial<GatewayEnv> = {}) {
  const fetcher: typeof fetch = async (input, init) => {
    await Promise.all(pending)
    const ctx = createExecutionContext()
    const res = await app.fetch(new Request(input, init), { ...env, ...overrides } as GatewayEnv, ctx)
    pending = [waitOnExecutionContext(ctx)]
    return res
  }
  return {
    fetch: fetcher,
    client: (apiKey = defaultKey, headers: Record<string, string> = {}) =>
      new OpenAI({ apiKey, baseURL: 'http://gateway.test/v1', fetch: fetcher, maxRetries: 0, defaultHeaders: headers }),
  }
}

/** Resolves once every request's `waitUntil` work so far is done. */
export const settled = (): Promise<unknown> => Promise.all(pending)
