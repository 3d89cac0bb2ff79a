/**
 * Looks a key up in a record only among its own properties. Policy maps (`models`, `providers`,
 * `projects`) are plain objects keyed by names a client can send: `policy.models['__proto__']`,
 * `['constructor']` or `['toString']` would otherwise find Object.prototype's members.
 */
export function own<V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined
}
