/**
 * Builds one component under Pulumi mocks and captures what each child resource was given
 * *before* serialisation (raw Inputs, so a test can ask `isSecret` of a single nested value).
 */
import * as pulumi from '@pulumi/pulumi'
import { installMocks, type RecordedResource } from './mocks.ts'

export interface Captured {
  type: string
  name: string
  props: Record<string, unknown>
  opts: pulumi.ResourceOptions
}

export interface Built<T> {
  component: T
  captured: Captured[]
  resources: RecordedResource[]
  /** The captured props of the single child of `type`. */
  propsOf(type: string): Record<string, unknown>
}

export async function buildUnderMocks<T>(build: (opts: pulumi.ComponentResourceOptions) => T): Promise<Built<T>> {
  const resources = await installMocks('test')
  const captured: Captured[] = []
  const capture: pulumi.ResourceTransformation = (args) => {
    captured.push({ type: args.type, name: args.name, props: args.props as Record<string, unknown>, opts: args.opts })
    return undefined
  }
  const component = build({ transformations: [capture] })
  await pulumi.runtime.disconnect()
  return {
    component,
    captured,
    resources,
    propsOf: (type) => {
      const found = captured.filter((c) => c.type === type)
      if (found.length !== 1) throw new Error(`expected one ${type}, captured ${found.length}`)
      return (found[0] as Captured).props
    },
  }
}

/** Resolves an Output (or plain value) and says whether Pulumi treats it as secret. */
export async function secretness(value: unknown): Promise<{ value: unknown; secret: boolean }> {
  const output: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<object>)
  const resolvedValue = await new Promise((resolve) => output.apply((v) => resolve(v)))
  return { value: resolvedValue, secret: await pulumi.isSecret(output) }
}
