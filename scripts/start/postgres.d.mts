// Types for postgres.mjs, so TypeScript callers (the tests' global setup) are checked.
export interface PostgresServer {
  host: string
  port: number
  user: string
  password: string
}
export declare const migrationsDir: string
export declare function urlFor(database: string, server?: PostgresServer): string
export declare function ensureLocalPostgres(options?: { database?: string; server?: PostgresServer }): Promise<{ connectionString: string; applied: string[] }>
export default ensureLocalPostgres
export declare function ensureServer(server?: PostgresServer): Promise<void>
export declare function createDatabase(database: string, server?: PostgresServer): Promise<void>
export declare function dropDatabase(database: string, server?: PostgresServer): Promise<void>
export declare function applyPostgresMigrations(connectionString: string, dir?: string): Promise<string[]>
