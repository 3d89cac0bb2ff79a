// Types for build-policy.mjs, so TypeScript callers (tests) are checked.
import type { Result } from '../worker/src/lib/result.ts'
import type { CompiledPolicy, PolicyIssue } from '../worker/src/policy/load.ts'
export declare function buildPolicy(policyDir?: string, outFile?: string, environment?: 'local' | 'production'): Promise<Result<CompiledPolicy, PolicyIssue[]>>
