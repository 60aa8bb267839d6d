/**
 * Key sources whose last key event is watcher.unauthorized, from the stored key events oldest first.
 * Both stores read them the same way: there is one per refusal or recovery of a key, so folding all of
 * them is cheap.
 */
export function refusedKeysOf(rows: Iterable<{ type: string; body: string }>): Set<string> {
  const refused = new Set<string>();
  for (const row of rows) {
    const source = (JSON.parse(row.body) as { data: { keySource?: string } }).data.keySource;
    if (source === undefined) continue; // stored before events named their key
    if (row.type === "watcher.unauthorized") refused.add(source);
    else refused.delete(source);
  }
  return refused;
}
