/**
 * A Vectorize index as a Pulumi dynamic resource (the Cloudflare provider has none): create,
 * read, delete on Cloudflare's v2 API; dimensions and metric are immutable, so changing them
 * replaces the index; metadata indexes (the fields the semantic cache filters on) update in place.
 */
import * as pulumi from '@pulumi/pulumi'
import { cloudflareApiDefaults, cloudflareCall } from './cloudflare-api.ts'
import type { ApiClientOptions } from './http.ts'

export type VectorMetric = 'cosine' | 'euclidean' | 'dot-product'
export type MetadataIndexType = 'string' | 'number' | 'boolean'

export interface MetadataIndex {
  propertyName: string
  indexType: MetadataIndexType
}

export interface VectorizeIndexInputs {
  accountId: string
  name: string
  dimensions: number
  metric: VectorMetric
  description: string
  metadataIndexes: MetadataIndex[]
}

export interface VectorizeIndexOutputs extends VectorizeIndexInputs {
  createdOn: string
}

const metrics: readonly string[] = ['cosine', 'euclidean', 'dot-product']
const indexTypes: readonly string[] = ['string', 'number', 'boolean']

function indexPath(inputs: { accountId: string }, name?: string): string {
  const base = `/accounts/${inputs.accountId}/vectorize/v2/indexes`
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`
}

function readConfig(result: unknown): { dimensions: number; metric: string; createdOn: string } {
  const r = (result ?? {}) as Record<string, unknown>
  const config = (r['config'] ?? {}) as Record<string, unknown>
  return {
    dimensions: typeof config['dimensions'] === 'number' ? config['dimensions'] : 0,
    metric: typeof config['metric'] === 'string' ? config['metric'] : '',
    createdOn: typeof r['created_on'] === 'string' ? r['created_on'] : '',
  }
}

/** The CRUD operations; `apiBaseUrl` etc. are serialised with it, the token never is. */
export class VectorizeIndexProvider implements pulumi.dynamic.ResourceProvider<VectorizeIndexInputs, VectorizeIndexOutputs> {
  private readonly api: ApiClientOptions

  constructor(api: ApiClientOptions = cloudflareApiDefaults) {
    this.api = api
  }

  async check(_olds: VectorizeIndexInputs, news: VectorizeIndexInputs): Promise<pulumi.dynamic.CheckResult<VectorizeIndexInputs>> {
    const failures: pulumi.dynamic.CheckFailure[] = []
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(news.name))
      failures.push({ property: 'name', reason: 'must be 1–64 lower-case letters, digits or dashes' })
    if (!Number.isInteger(news.dimensions) || news.dimensions < 1 || news.dimensions > 1536)
      failures.push({ property: 'dimensions', reason: 'must be an integer from 1 to 1536 (Vectorize limit)' })
    if (!metrics.includes(news.metric)) failures.push({ property: 'metric', reason: `must be one of ${metrics.join(', ')}` })
    for (const m of news.metadataIndexes)
      if (!indexTypes.includes(m.indexType))
        failures.push({ property: 'metadataIndexes', reason: `${m.propertyName}: indexType must be one of ${indexTypes.join(', ')}` })
    return { inputs: news, failures }
  }

  async diff(_id: string, olds: VectorizeIndexOutputs, news: VectorizeIndexInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces = (['accountId', 'name', 'dimensions', 'metric', 'description'] as const).filter((k) => olds[k] !== news[k])
    const metadataChanged = metadataKey(olds.metadataIndexes) !== metadataKey(news.metadataIndexes)
    return { changes: replaces.length > 0 || metadataChanged, replaces, deleteBeforeReplace: true }
  }

  async create(inputs: VectorizeIndexInputs): Promise<pulumi.dynamic.CreateResult<VectorizeIndexOutputs>> {
    // Read before create: an index already there (a retried `pulumi up`, or made by hand) is adopted
    // only if it has the same shape. The API promises no status or code for "exists", so none is assumed.
    let existing = await this.findIndex(inputs)
    if (!existing) {
      const body = { name: inputs.name, description: inputs.description, config: { dimensions: inputs.dimensions, metric: inputs.metric } }
      try {
        existing = readConfig((await cloudflareCall(this.api, 'POST', indexPath(inputs), body)).result)
      } catch (error) {
        // Lost a race with another create: what is there now decides.
        existing = await this.findIndex(inputs)
        if (!existing) throw error
      }
    }
    if (existing.dimensions !== inputs.dimensions || existing.metric !== inputs.metric)
      throw new Error(
        `Vectorize index ${inputs.name} already exists with ${existing.dimensions} dimensions/${existing.metric}, not ${inputs.dimensions}/${inputs.metric}: delete it or pick another name`,
      )
    await this.syncMetadataIndexes(inputs, await this.listMetadataIndexes(inputs, inputs.name))
    return { id: inputs.name, outs: { ...pick(inputs), createdOn: existing.createdOn } }
  }

  async read(id: string, props?: VectorizeIndexOutputs): Promise<pulumi.dynamic.ReadResult<VectorizeIndexOutputs>> {
    if (!props) throw new Error('importing a Vectorize index is not supported: let pulumi up create (or adopt) it')
    const found = await cloudflareCall(this.api, 'GET', indexPath(props, id))
    if (found.status === 404) return {}
    const config = readConfig(found.result)
    const metadataIndexes = await this.listMetadataIndexes(props, id)
    const metric = metrics.includes(config.metric) ? (config.metric as VectorMetric) : props.metric
    return { id, props: { ...props, name: id, dimensions: config.dimensions, metric, metadataIndexes, createdOn: config.createdOn } }
  }

  async update(id: string, olds: VectorizeIndexOutputs, news: VectorizeIndexInputs): Promise<pulumi.dynamic.UpdateResult<VectorizeIndexOutputs>> {
    await this.syncMetadataIndexes({ ...news, name: id }, await this.listMetadataIndexes(news, id))
    return { outs: { ...pick(news), createdOn: olds.createdOn } }
  }

  async delete(id: string, props: VectorizeIndexOutputs): Promise<void> {
    // A 404 means it is already gone: deleting twice is not an error.
    await cloudflareCall(this.api, 'DELETE', indexPath(props, id))
  }

  /** The index of that name from the account's list (`GET …/vectorize/v2/indexes`), if any. */
  private async findIndex(inputs: { accountId: string; name: string }): Promise<ReturnType<typeof readConfig> | undefined> {
    const listed = await cloudflareCall(this.api, 'GET', indexPath(inputs))
    const found = Array.isArray(listed.result) ? (listed.result as unknown[]).find((i) => ((i ?? {}) as Record<string, unknown>)['name'] === inputs.name) : undefined
    return found === undefined ? undefined : readConfig(found)
  }

  private async listMetadataIndexes(inputs: { accountId: string }, name: string): Promise<MetadataIndex[]> {
    const listed = await cloudflareCall(this.api, 'GET', `${indexPath(inputs, name)}/metadata_index/list`)
    const raw = ((listed.result ?? {}) as Record<string, unknown>)['metadataIndexes']
    if (!Array.isArray(raw)) return []
    return raw.map((m: unknown) => {
      const r = (m ?? {}) as Record<string, unknown>
      return { propertyName: String(r['propertyName']), indexType: String(r['indexType']) as MetadataIndexType }
    })
  }

  /** Creates missing metadata indexes and deletes ones no longer wanted. */
  private async syncMetadataIndexes(inputs: VectorizeIndexInputs, existing: MetadataIndex[]): Promise<void> {
    const path = indexPath(inputs, inputs.name)
    const want = new Map(inputs.metadataIndexes.map((m) => [m.propertyName, m.indexType]))
    for (const m of existing)
      if (want.get(m.propertyName) !== m.indexType)
        await cloudflareCall(this.api, 'POST', `${path}/metadata_index/delete`, { propertyName: m.propertyName })
    const have = new Map(existing.map((m) => [m.propertyName, m.indexType]))
    for (const m of inputs.metadataIndexes)
      if (have.get(m.propertyName) !== m.indexType)
        await cloudflareCall(this.api, 'POST', `${path}/metadata_index/create`, m)
  }
}

function metadataKey(list: readonly MetadataIndex[]): string {
  return list
    .map((m) => `${m.propertyName}:${m.indexType}`)
    .sort()
    .join(',')
}

function pick(i: VectorizeIndexInputs): VectorizeIndexInputs {
  const { accountId, name, dimensions, metric, description, metadataIndexes } = i
  return { accountId, name, dimensions, metric, description, metadataIndexes }
}

export interface VectorizeIndexArgs {
  accountId: pulumi.Input<string>
  name: pulumi.Input<string>
  dimensions: pulumi.Input<number>
  metric: pulumi.Input<VectorMetric>
  description: pulumi.Input<string>
  metadataIndexes: pulumi.Input<pulumi.Input<MetadataIndex>[]>
}

/** The Pulumi resource; pass a provider built with another `apiBaseUrl` to target a fake API. */
export class VectorizeIndex extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>
  declare readonly dimensions: pulumi.Output<number>
  declare readonly metric: pulumi.Output<VectorMetric>

  constructor(name: string, args: VectorizeIndexArgs, opts?: pulumi.CustomResourceOptions, provider = new VectorizeIndexProvider()) {
    super(provider, name, { ...args, createdOn: undefined }, opts, 'watchllm', 'VectorizeIndex')
  }
}
