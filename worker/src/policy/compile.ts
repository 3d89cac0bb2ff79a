/**
 * The one policy compiler: YAML files in, a validated, merged, JSON-serialisable policy out.
 * Used by the worker build, by infra/ (so `pulumi preview` fails on a bad policy) and by
 * `npm run policy:check`. Pure: the caller reads the files.
 */
import { isNode, LineCounter, parseDocument, type Document } from 'yaml'
import type { z } from 'zod'
import { canonicalJson, sha256Hex } from '../lib/hash.ts'
import { err, ok, type Result } from '../lib/result.ts'
import { checkEnvironment, type PolicyEnvironment } from './environment.ts'
import { checkAnomaly } from './check-anomaly.ts'
import { checkGovernance } from './check-governance.ts'
import { checkLimits, limitSecrets } from './check-limits.ts'
import { policyIssue, type PolicyIssue } from './errors.ts'
import type { ExperimentPolicy } from './experiments.ts'
import { findPlaintextSecrets } from './plaintext-secrets.ts'
import {
  policyFileSchema,
  type PolicyFile,
  type ProjectPolicy,
  type ProviderPolicy,
  type RoutePolicy,
} from './schema.ts'
import { judgeProblem } from './semantic-verification.ts'
import { own } from '../lib/own.ts'
import { checkProviderCredentials } from './provider-credentials.ts'

export interface PolicySource {
  /** Shown in errors, e.g. `policies/projects.yaml`. */
  path: string
  text: string
}

export interface KeyOwner {
  project: string
  keyId: string
  localOnly: boolean
}

export interface CompiledPolicy {
  version: 1
  /** SHA-256 of everything below: what `/health` reports and telemetry records. */
  hash: string
  sources: string[]
  providers: Record<string, ProviderPolicy>
  models: Record<string, RoutePolicy>
  projects: Record<string, ProjectPolicy>
  /** A/B experiments by id (ended ones included: their history stays readable). */
  experiments: Record<string, ExperimentPolicy>
  /** key SHA-256 → owner; the lookup auth does on every request. */
  keys: Record<string, KeyOwner>
  /** Every Worker secret the policy references, sorted (infra binds exactly these). */
  secrets: string[]
}

export type Section = 'providers' | 'models' | 'projects' | 'experiments'
const sections: readonly Section[] = ['providers', 'models', 'projects', 'experiments']

/**
 * True when `name` may have been defined in a file that failed to parse (and so was reported
 * there): every cross-reference check asks this before calling a missing name unknown, so an
 * error that only follows from an earlier one is not reported again.
 */
export type Reported = (section: Section, name: string) => boolean

/** Where each entry was defined, so cross-file errors point at the right line. */
interface Origin {
  file: string
  doc: Document
  lines: LineCounter
}

export interface CompileOptions {
  /** `production` (infra, `--env production`) refuses what only works locally: `mock` targets, `local_only` keys. */
  environment?: PolicyEnvironment
}

export async function compilePolicy(sources: readonly PolicySource[], options: CompileOptions = {}): Promise<Result<CompiledPolicy, PolicyIssue[]>> {
  if (sources.length === 0)
    return err([policyIssue('NoPolicyFiles', { file: '(policy)', line: 0, path: '' }, 'no *.yaml files found')])

  const issues: PolicyIssue[] = []
  const merged: Required<{ [S in Section]: Record<string, NonNullable<PolicyFile[S]>[string]> }> = {
    providers: {},
    models: {},
    projects: {},
    experiments: {},
  }
  const origins = new Map<string, Origin>()
  const originOf = (section: Section, entry: string): Origin | undefined => origins.get(`${section}\0${entry}`)
  // Entries of files that failed to parse: already reported, so references to them are not errors again.
  const broken: Broken = { names: new Set(), unknown: false }

  for (const source of sources) {
    const parsed = parseFile(source, issues, broken)
    if (!parsed) continue
    const { data, origin } = parsed
    for (const section of sections) {
      for (const [entry, value] of Object.entries(data[section] ?? {})) {
        const previous = originOf(section, entry)
        if (previous) {
          issues.push(
            policyIssue(
              'DuplicateEntry',
              at(origin, [section, entry]),
              `already defined in ${previous.file}:${lineOf(previous, [section, entry])}`,
            ),
          )
          continue
        }
        origins.set(`${section}\0${entry}`, origin)
        ;(merged[section] as Record<string, unknown>)[entry] = value
      }
    }
  }

  // A name defined in a file that failed (or possibly in one that was not YAML) was reported there.
  const reported: Reported = (section, name) => broken.unknown || broken.names.has(`${section}\0${name}`)
  checkReferences(merged, originOf, issues, broken, reported)
  checkGovernance(merged, (section, entry, rest) => locate(originOf, section, entry, rest), issues, reported)
  checkAnomaly(merged, (section, entry, rest) => locate(originOf, section, entry, rest), issues)
  issues.push(...checkEnvironment(merged, options.environment ?? 'local', (section, entry, rest) => locate(originOf, section, entry, rest)))
  issues.push(...checkProviderCredentials(merged.providers, (section, entry, rest) => locate(originOf, section, entry, rest)))
  if (issues.length > 0) return err(issues)

  const keys: Record<string, KeyOwner> = {}
  for (const [projectName, project] of Object.entries(merged.projects))
    for (const key of project.keys) keys[key.sha256] = { project: projectName, keyId: key.id, localOnly: key.local_only }

  const body = {
    version: 1 as const,
    sources: sources.map((s) => s.path),
    providers: merged.providers,
    models: merged.models,
    projects: merged.projects,
    experiments: merged.experiments,
    keys,
    secrets: [...new Set([...collectSecrets(merged.providers), ...limitSecrets(merged.projects)])].sort(),
  }
  return ok({ ...body, hash: sha256Hex(canonicalJson(body)) })
}

/** What failed to parse: entry names per section (`providers\0openai`), or `unknown` when a file was not even YAML. */
interface Broken {
  names: Set<string>
  unknown: boolean
}

function parseFile(source: PolicySource, issues: PolicyIssue[], broken: Broken): { data: PolicyFile; origin: Origin } | undefined {
  const lines = new LineCounter()
  const doc = parseDocument(source.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  const origin: Origin = { file: source.path, doc, lines }
  if (doc.errors.length > 0) {
    broken.unknown = true
    for (const e of doc.errors)
      issues.push(
        policyIssue('YamlSyntax', { file: source.path, line: lines.linePos(e.pos[0]).line, path: '' }, e.message.split('\n')[0] ?? e.message),
      )
    return undefined
  }
  const raw: unknown = doc.toJS() ?? {}
  const markBroken = (): undefined => {
    for (const section of sections) {
      const entries = (raw as Record<string, unknown> | null)?.[section]
      if (entries && typeof entries === 'object') for (const name of Object.keys(entries)) broken.names.add(`${section}\0${name}`)
    }
    return undefined
  }

  // Before the schema: a key pasted into any field is the worst mistake, so it gets its own message.
  const leaks = findPlaintextSecrets(raw)
  for (const leak of leaks)
    issues.push(policyIssue('PlaintextSecret', at(origin, leak.path), `looks like a plaintext ${leak.kind}`))
  if (leaks.length > 0) return markBroken()

  const parsed = policyFileSchema.safeParse(raw)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) issues.push(schemaIssue(origin, issue))
    return markBroken()
  }
  return { data: parsed.data, origin }
}

function schemaIssue(origin: Origin, issue: z.core.$ZodIssue): PolicyIssue {
  let path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))
  let message = issue.message
  if (issue.code === 'unrecognized_keys') {
    // Point at the first unknown key itself, not at its parent.
    path = [...path, issue.keys[0] ?? '']
    message = `unknown field${issue.keys.length > 1 ? `s ${issue.keys.join(', ')}` : ''}`
  } else if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
    message = 'is required'
  } else if (issue.code === 'too_small' || issue.code === 'too_big') {
    const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum)
    const unit = issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : ''
    const op = issue.code === 'too_small' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<'
    message = `must be ${op} ${bound}${unit}`
  }
  return policyIssue('SchemaViolation', at(origin, path), message)
}

function checkReferences(
  policy: { providers: Record<string, ProviderPolicy>; models: Record<string, RoutePolicy>; projects: Record<string, ProjectPolicy> },
  originOf: (section: Section, entry: string) => Origin | undefined,
  issues: PolicyIssue[],
  broken: Broken,
  reported: Reported,
): void {
  const where = (section: Section, entry: string, rest: (string | number)[]) => locate(originOf, section, entry, rest)

  for (const [providerName, provider] of Object.entries(policy.providers)) {
    const needsKey = provider.type === 'openai' || provider.type === 'anthropic' || provider.type === 'groq'
    if (needsKey && !provider.api_key)
      issues.push(policyIssue('MissingApiKey', where('providers', providerName, []), `type ${provider.type} needs api_key`))
  }

  for (const [alias, route] of Object.entries(policy.models)) {
    route.targets.forEach((target, i) => {
      const provider = own(policy.providers, target.provider)
      if (!provider && reported('providers', target.provider)) return
      if (!provider) {
        const failed = [...broken.names].filter((n) => n.startsWith('providers\0')).map((n) => n.slice('providers\0'.length))
        const known = [...new Set([...Object.keys(policy.providers), ...failed])].join(', ') || 'none'
        issues.push(
          policyIssue('UnknownProvider', where('models', alias, ['targets', i, 'provider']), `no provider "${target.provider}" (defined: ${known})`),
        )
      } else if (route.kind === 'embeddings' && provider.type === 'anthropic') {
        issues.push(policyIssue('WrongRouteKind', where('models', alias, ['targets', i, 'provider']), 'anthropic has no embeddings endpoint'))
      }
    })
  }

  const keyOwners = new Map<string, string>()
  for (const [projectName, project] of Object.entries(policy.projects)) {
    project.models.forEach((alias, i) => {
      if (alias !== '*' && !own(policy.models, alias) && !reported('models', alias))
        issues.push(policyIssue('UnknownModel', where('projects', projectName, ['models', i]), `no model alias "${alias}"`))
    })
    const embedder = project.cache.semantic.embedder
    if (embedder.type === 'provider') {
      const provider = embedder.provider ? own(policy.providers, embedder.provider) : undefined
      const at = where('projects', projectName, ['cache', 'semantic', 'embedder', embedder.provider ? 'provider' : 'type'])
      if (!embedder.provider || !embedder.model)
        issues.push(policyIssue('SchemaViolation', at, 'type provider needs both `provider` and `model`'))
      else if (!provider) {
        if (!reported('providers', embedder.provider)) issues.push(policyIssue('UnknownProvider', at, `no provider "${embedder.provider}"`))
      }
      else if (provider.type !== 'openai' && provider.type !== 'openai-compatible')
        issues.push(policyIssue('WrongRouteKind', at, `embeddings come from an openai or openai-compatible provider, not ${provider.type}`))
    }
    const judge = judgeProblem(project.cache.semantic.verification.judge, policy.models, project.models)
    if (judge) issues.push(policyIssue(judge.name, where('projects', projectName, ['cache', 'semantic', 'verification', 'judge', 'model']), judge.message))
    project.keys.forEach((key, i) => {
      const owner = keyOwners.get(key.sha256)
      if (owner)
        issues.push(policyIssue('DuplicateApiKey', where('projects', projectName, ['keys', i, 'sha256']), `the same key is already listed under ${owner}`))
      keyOwners.set(key.sha256, `projects.${projectName}.keys.${key.id}`)
    })
  }
  checkLimits(policy, where, issues, reported)
}

function collectSecrets(providers: Record<string, ProviderPolicy>): string[] {
  const names = new Set<string>()
  for (const p of Object.values(providers)) {
    if (p.api_key) names.add(p.api_key.secret)
    for (const v of Object.values(p.headers ?? {})) if (typeof v !== 'string') names.add(v.secret)
  }
  return [...names].sort()
}

/** Where an entry's node is: its file, line and dotted path. */
function locate(
  originOf: (section: Section, entry: string) => Origin | undefined,
  section: Section,
  entry: string,
  rest: (string | number)[],
): { file: string; line: number; path: string } {
  const origin = originOf(section, entry)
  return origin ? at(origin, [section, entry, ...rest]) : { file: '(policy)', line: 0, path: [section, entry, ...rest].join('.') }
}

/** The file, line and dotted path of a node; a missing node falls back to its nearest parent. */
function at(origin: Origin, path: readonly (string | number)[]): { file: string; line: number; path: string } {
  return { file: origin.file, line: lineOf(origin, path), path: path.join('.') }
}

function lineOf(origin: Origin, path: readonly (string | number)[]): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? origin.doc.contents : origin.doc.getIn(path.slice(0, depth), true)
    if (isNode(node) && node.range) return origin.lines.linePos(node.range[0]).line
  }
  return 1
}
