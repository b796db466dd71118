// @ts-check
// A list the app sends as what changed since a list the page holds (src-tauri/watch/delta.rs):
// applied only to that list. Pure, so Node's test runner checks it (tests/ui/).

/**
 * The list `delta` brings `held` to, or null when `delta` is about another list than the
 * one held (`heldVersion`, the number of the news it came with): the page then asks for the
 * whole list. Rows that did not change keep their objects, and with nothing changed the
 * list keeps its array, so nothing is sorted or drawn again for nothing.
 * @param {{machines: {id: string}[]}} held
 * @param {number|null} heldVersion
 * @param {{base: number, changed: {id: string}[], gone: string[]}} delta
 * @returns {any|null}
 */
export function applyDelta(held, heldVersion, delta) {
  if (heldVersion === null || delta.base !== heldVersion) return null;
  const { changed, gone, base: _base, ...rest } = delta;
  let machines = held.machines;
  if (!changed.length && !gone.length) return { ...rest, machines };
  if (!gone.length) {
    // Only rows the page holds, changed: each takes its place, and what follows the list
    // (its order, its index) may be patched instead of rebuilt (`replaced`). A small map
    // of the changed rows, not one of all of them.
    const byId = new Map(changed.map((r) => [r.id, r]));
    let found = 0;
    const next = machines.map((r) => {
      const c = byId.get(r.id);
      if (c === undefined) return r;
      found += 1;
      return c;
    });
    if (found === byId.size) return { ...rest, machines: next, replaced: { from: machines, rows: changed } };
  }
  const byId = new Map(machines.map((r) => [r.id, r]));
  for (const id of gone) byId.delete(id);
  for (const r of changed) byId.set(r.id, r);
  machines = [...byId.values()];
  return { ...rest, machines };
}
