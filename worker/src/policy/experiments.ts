/**
 * The `experiments:` section: A/B tests declared in policy. A request that matches an active
 * experiment is assigned a variant by a hash of its sticky unit (user, session or key), so the same
 * unit always gets the same variant with no storage; a variant routes to another alias or target
 * and may override parameters. Paused and ended experiments assign nothing, but stay in policy so
 * their history stays readable in the admin.
 */
import { z } from 'zod'
import { paramOverrides } from './param-overrides.ts'

const id = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'must be letters, digits, ".", "_" or "-"').max(64)

const variant = z
  .strictObject({
    id,
    /** Percent of the matched traffic; the variants' weights sum to 100. */
    weight: z.number().min(0).max(100),
    /** Another model alias to route to (default: the alias the client asked for). */
    model: z.string().min(1).optional(),
    /** Or one provider target directly, with the asked alias's retry and timeouts. */
    target: z.strictObject({ provider: z.string().min(1), model: z.string().min(1), timeout_ms: z.int().min(100).max(600_000).optional() }).optional(),
    /** Parameters set on the request (before the cache: they are part of its key). */
    params: paramOverrides.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.model && v.target) ctx.addIssue({ code: 'custom', path: ['target'], message: 'give either `model` or `target`, not both' })
  })

const match = z.strictObject({
  /** Projects in the experiment (default: every project). */
  projects: z.array(z.string().min(1)).min(1).optional(),
  /** The model aliases clients ask for that the experiment splits. */
  models: z.array(z.string().min(1)).min(1),
  /** Only requests carrying this header value. */
  header: z.strictObject({ name: z.string().regex(/^[a-z0-9-]+$/i, 'must be a header name'), equals: z.string() }).optional(),
  /** Only requests whose OpenAI `metadata` has this value. */
  metadata: z.strictObject({ key: z.string().min(1), equals: z.string() }).optional(),
})

export const experimentSchema = z.strictObject({
  description: z.string().optional(),
  status: z.enum(['active', 'paused', 'ended']).default('active'),
  match,
  /**
   * What keeps a caller in one variant: the OpenAI `user` field, the `X-WatchLLM-Session` header, or
   * the API key. A request without it is not enrolled (it goes where it asked, with no variant).
   */
  sticky: z.enum(['user', 'session', 'key']).default('user'),
  variants: z.array(variant).min(2).max(10),
  /** What names a winner in the admin: mean feedback, error rate, latency or cost per request. */
  metric: z.enum(['feedback', 'error_rate', 'latency', 'cost']).default('feedback'),
})

export type ExperimentPolicy = z.output<typeof experimentSchema>
export type VariantPolicy = ExperimentPolicy['variants'][number]
