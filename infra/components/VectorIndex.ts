/**
 * The Vectorize index behind the semantic cache, shaped by the embedder (dimensions and metric
 * must match what it produces) and indexed on the metadata the cache filters by.
 */
import * as pulumi from '@pulumi/pulumi'
import type { EmbedderShape } from '../lib/embedders.ts'
import type { ApiClientOptions } from '../providers/http.ts'
import { VectorizeIndex, VectorizeIndexProvider, type MetadataIndex } from '../providers/vectorize.ts'

/** Fields semantic-cache vectors carry so a lookup stays within one project, model and context. */
export const semanticMetadataIndexes: MetadataIndex[] = [
  { propertyName: 'project', indexType: 'string' },
  { propertyName: 'model', indexType: 'string' },
  { propertyName: 'context', indexType: 'string' },
]

export interface VectorIndexArgs {
  /** Cloudflare account id. */
  accountId: pulumi.Input<string>
  /** Index name, e.g. `watchllm-dev-semantic`. */
  indexName: pulumi.Input<string>
  /** The embedding model's id, recorded in the index description. */
  embedder: pulumi.Input<string>
  /** The vector shape the embedder produces. */
  shape: EmbedderShape
  /** Metadata indexes; defaults to `semanticMetadataIndexes`. */
  metadataIndexes?: pulumi.Input<pulumi.Input<MetadataIndex>[]>
  /** Cloudflare API settings for the dynamic provider (tests point it at a fake). */
  api?: ApiClientOptions
}

export class VectorIndex extends pulumi.ComponentResource {
  readonly indexName: pulumi.Output<string>
  readonly dimensions: pulumi.Output<number>

  constructor(name: string, args: VectorIndexArgs, opts?: pulumi.ComponentResourceOptions) {
    super('watchllm:semantic:VectorIndex', name, {}, opts)

    // The index (a dynamic resource: the Cloudflare provider has no Vectorize resource).
    const index = new VectorizeIndex(
      `${name}-index`,
      {
        accountId: args.accountId,
        name: args.indexName,
        dimensions: args.shape.dimensions,
        metric: args.shape.metric,
        description: pulumi.interpolate`WatchLLM semantic cache (${args.embedder})`,
        metadataIndexes: args.metadataIndexes ?? semanticMetadataIndexes,
      },
      { parent: this },
      args.api ? new VectorizeIndexProvider(args.api) : undefined,
    )

    this.indexName = index.name
    this.dimensions = index.dimensions
    this.registerOutputs({ indexName: this.indexName, dimensions: this.dimensions })
  }
}
