// @ts-check
// The machines table's order: by a column, numbers in names as people read them, ties by
// name. The app mirrors it to send a long list's first screen ahead of the rest
// (src-tauri/window/first_screen.rs); tests/ui/order.test.mjs holds both to one fixture.
import { parseTime, naturalCompare } from './format.js';
import { tx } from './i18n.js';

/** @typedef {import('./screen.js').Row} Row */

/** @param {Row} r @param {string} column */
export function sortKey(r, column) {
  switch (column) {
    // The name a person gave it, where there is one: the name they read first.
    case 'name': return r.given || r.name;
    case 'state': return tx(r.stateLabel);
    case 'createdAt': return parseTime(r.createdAt) ?? 0;
    default: return /** @type {any} */ (r)[column] ?? '';
  }
}

/**
 * `all` in the order of `column` (ties by the name read first), favourites on top either
 * way, with what a search finds each by in lower case: its given name and the service's.
 * The sort is stable: rows alike in every key keep their order.
 * @param {Row[]} all @param {string} column @param {boolean} descending
 * @returns {{rows: Row[], names: string[]}}
 */
export function sortRows(all, column, descending) {
  const dir = descending ? -1 : 1;
  const keyed = all.map((r) => {
    const k = sortKey(r, column);
    const name = (r.given || r.name).toLowerCase();
    return { r, k: typeof k === 'number' ? k : String(k).toLowerCase(), name, found: r.given ? `${name} ${r.name.toLowerCase()}` : name };
  });
  keyed.sort((a, b) => {
    const x = a.k;
    const y = b.k;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : naturalCompare(String(x), String(y));
    return (b.r.favourite ? 1 : 0) - (a.r.favourite ? 1 : 0) || (c || naturalCompare(a.name, b.name)) * dir;
  });
  return { rows: keyed.map((e) => e.r), names: keyed.map((e) => e.found) };
}
