// Types for local-config.mjs, so TypeScript callers (bench/) are checked.
export declare function writeLocalConfig(options: { source: string; out: string; policyModule: string }): Promise<string>
