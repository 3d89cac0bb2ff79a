/**
 * Calls to the scope ledgers (Durable Objects) from the worker: one stub per scope name, each call
 * bounded in time. A call that times out may still land later; an admission that lands after the
 * request gave up on it is released, so nothing stays reserved beyond its expiry.
 */
import type { ScopeLedger } from '../durable/scope-ledger.ts'
import type { GatewayEnv } from '../env.ts'

export type LedgerStub = DurableObjectStub<ScopeLedger>

export function ledgerStub(env: GatewayEnv, name: string): LedgerStub | undefined {
  const namespace = (env as { LEDGER?: DurableObjectNamespace<ScopeLedger> }).LEDGER
  return namespace?.get(namespace.idFromName(name))
}

export class CounterTimeout extends Error {
  override readonly name = 'CounterTimeout'
}

/** `work`, or a CounterTimeout after `ms` (the caller decides what to do with a late answer). */
export async function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CounterTimeout(`no answer within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}
