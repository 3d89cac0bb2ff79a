/**
 * Round-trips a dynamic provider through Pulumi's closure serialiser and loads the result the way
 * Pulumi's dynamic-provider host does, so tests exercise the code that really runs under
 * `pulumi up` — and fail if a provider captures something that cannot be serialised.
 */
import { createRequire } from 'node:module'
import * as pulumi from '@pulumi/pulumi'

export interface Serialized<T> {
  provider: T
  /** The module text Pulumi would store in state. */
  text: string
}

export async function throughSerialization<T extends object>(provider: T): Promise<Serialized<T>> {
  // allowSecrets: false — a provider that captured a secret would leak it into state.
  const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false })
  const module: { exports: Record<string, unknown> } = { exports: {} }
  const load = new Function('exports', 'module', 'require', text) as (e: unknown, m: unknown, r: NodeJS.Require) => void
  load(module.exports, module, createRequire(import.meta.url))
  const handler = module.exports['handler']
  if (typeof handler !== 'function') throw new Error('serialised provider has no handler export')
  return { provider: (handler as () => T)(), text }
}
