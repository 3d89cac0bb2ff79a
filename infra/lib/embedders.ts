/**
 * The embedding models the semantic cache can use, with the vector shape each produces: the
 * Vectorize index must match it exactly (dimensions are fixed when the index is created).
 */
import type { VectorMetric } from '../providers/vectorize.ts'

export interface EmbedderShape {
  dimensions: number
  metric: VectorMetric
}

export const embedders: Readonly<Record<string, EmbedderShape>> = {
  // Workers AI, the default (DESIGN.md): 768-dimensional, compared by cosine similarity.
  '@cf/baai/bge-base-en-v1.5': { dimensions: 768, metric: 'cosine' },
  '@cf/baai/bge-small-en-v1.5': { dimensions: 384, metric: 'cosine' },
  '@cf/baai/bge-large-en-v1.5': { dimensions: 1024, metric: 'cosine' },
  '@cf/baai/bge-m3': { dimensions: 1024, metric: 'cosine' },
  'text-embedding-3-small': { dimensions: 1536, metric: 'cosine' },
}

export const defaultEmbedder = '@cf/baai/bge-base-en-v1.5'
