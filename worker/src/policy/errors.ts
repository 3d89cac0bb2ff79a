/**
 * The catalogue of policy errors (names never change). Each says what happened and what to do;
 * `formatPolicyIssues` renders them as `file:line path: message — hint: …`.
 */

export interface PolicyIssue {
  name: PolicyErrorName
  file: string
  line: number
  /** Dotted path inside the merged policy, e.g. `projects.support.cache.exact.ttl_seconds`. */
  path: string
  message: string
  hint?: string
}

export const policyErrors = {
  NoPolicyFiles: {
    title: 'No policy files',
    hint: 'put at least one *.yaml file in the policy directory (see policies/ for the reference).',
  },
  YamlSyntax: { title: 'YAML syntax error', hint: 'fix the YAML at this line; indentation is significant.' },
  SchemaViolation: { title: 'Invalid value', hint: 'see the policy reference in README.md.' },
  PlaintextSecret: {
    title: 'Plaintext secret in policy',
    hint: 'never commit keys: write `{ secret: NAME }` and set the value with `pulumi config set --secret NAME` (locally: an environment variable).',
  },
  DuplicateEntry: {
    title: 'Entry defined twice',
    hint: 'each provider, model and project may be defined in only one file.',
  },
  UnknownProvider: { title: 'Unknown provider', hint: 'define it under `providers:` or fix the name.' },
  UnknownModel: { title: 'Unknown model alias', hint: 'define it under `models:` or fix the name.' },
  DuplicateApiKey: {
    title: 'API key listed twice',
    hint: 'a key belongs to exactly one project; generate a new key with `npm run key:new`.',
  },
  MissingApiKey: {
    title: 'Provider without credentials',
    hint: 'add `api_key: { secret: NAME }` to the provider.',
  },
  WrongRouteKind: {
    title: 'Provider cannot serve this route',
    hint: 'use a provider that offers this kind of endpoint (anthropic has no embeddings).',
  },
  LocalOnlyTarget: {
    title: 'Local-only target in a production policy',
    hint: 'remove this target before deploying: `mock` is a stand-in for npm start and the tests (`npm run policy:check -- --env local` keeps it).',
  },
  LocalOnlyKey: {
    title: 'Local-only key in a production policy',
    hint: 'drop this key from the deployed policy and list a real one: `npm run key:new` prints a key and the sha256 to put here.',
  },
  WrongModelKind: {
    title: 'Alias of the wrong kind',
    hint: 'route chat requests to chat aliases and embeddings to embeddings aliases (`kind:` under `models:`).',
  },
  UnknownProject: { title: 'Unknown project', hint: 'define it under `projects:` or fix the name.' },
  InvalidRegex: { title: 'Invalid regular expression', hint: 'patterns are JavaScript regular expressions; escape `\\` as `\\\\` in double-quoted YAML or use single quotes.' },
  UnsafeRegex: {
    title: 'Regular expression can backtrack catastrophically',
    hint: 'anchor the repeated part (`\\b`, `^`, a lookbehind such as `(?<!\\w)`), bound it (`{1,64}` instead of `+`), or never nest quantifiers; the suggested pattern, when given, matches the same text.',
  },
  ExperimentWeights: {
    title: 'Experiment weights do not add up',
    hint: "give each variant a percentage of the experiment's traffic; together they make 100.",
  },
  TokenBudgetScope: {
    title: 'Token budget without a session',
    hint: 'token budgets are per session (`scope: session`); cap projects and keys in `usd`, or rate-limit their tokens with `limits.<scope>.tokens`.',
  },
  DowngradeTarget: {
    title: 'Budget downgrades to a model it cannot use',
    hint: '`downgrade_to` names a chat alias from `models:` that the project may call (its `models` list).',
  },
  UnpricedBudget: {
    title: 'USD budget over a model without a price',
    hint: 'the price table (@pydantic/genai-prices) does not know this model, so its spend cannot be counted: take the alias out of the project\'s `models`, or cap it with rate limits instead.',
  },
  UnpricedAnomaly: {
    title: 'USD anomaly detection over a model without a price',
    hint: "the price table (@pydantic/genai-prices) does not know this model, so its spend would count as nothing: detect on `metric: tokens`, or take the alias out of the project's `models`.",
  },
  RateLimitBackend: {
    title: 'Rate limit the backend cannot enforce',
    hint: 'the Workers rate-limit binding counts requests only, over 10 or 60 seconds; use `backend: durable-object` or `upstash` for tokens and other windows.',
  },
  WebhookMissing: {
    title: 'Alert webhook incomplete',
    hint: 'set `alerts.webhook.url: { secret: NAME }` (and `signing_key: { secret: NAME }` for `format: generic`); see "Alerts and reports" in README.md.',
  },
  CredentialInUrl: {
    title: 'Credential in a provider URL',
    hint: 'take the credential out of `base_url` and send it as `api_key: { secret: NAME }` or `headers: { <name>: { secret: NAME } }`; a URL that differs per environment can be `{ var: NAME }`.',
  },
  LiteralAuthHeader: {
    title: 'Literal value for an authentication header',
    hint: 'write `{ secret: NAME }` for this header and set the value with `pulumi config set --secret NAME` (locally: an environment variable).',
  },
} as const

export type PolicyErrorName = keyof typeof policyErrors

export function policyIssue(
  name: PolicyErrorName,
  at: { file: string; line: number; path: string },
  message: string,
): PolicyIssue {
  return { name, ...at, message, hint: policyErrors[name].hint }
}

export function formatPolicyIssues(issues: readonly PolicyIssue[]): string {
  return issues
    .map((i) => `${i.file}:${i.line} ${i.path || '(root)'}: ${i.message}${i.hint ? ` — hint: ${i.hint}` : ''}`)
    .join('\n')
}
