// @ts-check
// Groups as the list has them (kept with the names, settings/names.rs), without the page:
// which groups a list's machines are in, and the grouped list's lines. A group is one
// whatever its letters' case ("Accounting", "accounting"). groups.js shows them;
// tests/ui/groups.test.mjs holds these to their rules.
import { naturalCompare } from './format.js';

/** @typedef {import('./screen.js').Row} Row */
/** A heading row of the grouped list. @typedef {{header: string, count: number}} Heading */
/** A machine's row under one heading of the grouped list. @typedef {{r: Row, section: string}} InGroup */

/** @param {string} name */
export const groupKey = (name) => name.toLowerCase();

/**
 * The groups `all` are in, each with how many machines it holds, in the order people read
 * them (the first spelling met names one).
 * @param {Row[]} all @returns {{name: string, count: number}[]}
 */
export function groupsOf(all) {
  /** @type {Map<string, {name: string, count: number}>} */
  const byKey = new Map();
  for (const r of all) {
    for (const g of r.groups || []) {
      const k = groupKey(g);
      const seen = byKey.get(k);
      if (seen) seen.count++; else byKey.set(k, { name: g, count: 1 });
    }
  }
  return [...byKey.values()].sort((a, b) => naturalCompare(groupKey(a.name), groupKey(b.name)));
}

/**
 * A test of whether a row is in group `group`, its name made into a key once (it is run
 * on every row of a list of 10,000).
 * @param {string} group @returns {(r: Row) => boolean}
 */
export function memberOf(group) {
  const k = groupKey(group);
  return (r) => !!r.groups && r.groups.some((g) => groupKey(g) === k);
}

/**
 * The grouped list: a heading for each group with its machines under it, in the list's
 * order (a machine in two groups is under both), then those in none.
 * @param {Row[]} shown @returns {(Heading|InGroup)[]}
 */
export function groupedLayout(shown) {
  /** @type {Map<string, InGroup[]>} */
  const sections = new Map();
  /** @type {Map<string, string>} */
  const spelled = new Map();
  /** @type {InGroup[]} */
  const none = [];
  for (const r of shown) {
    if (!r.groups || r.groups.length === 0) {
      none.push({ r, section: '' });
      continue;
    }
    for (const g of r.groups) {
      const k = groupKey(g);
      if (!sections.has(k)) { sections.set(k, []); spelled.set(k, g); }
      /** @type {InGroup[]} */ (sections.get(k)).push({ r, section: k });
    }
  }
  /** @type {(Heading|InGroup)[]} */
  const out = [];
  for (const k of [...sections.keys()].sort(naturalCompare)) {
    const rows = /** @type {InGroup[]} */ (sections.get(k));
    out.push({ header: /** @type {string} */ (spelled.get(k)), count: rows.length }, ...rows);
  }
  if (none.length && sections.size) out.push({ header: '', count: none.length });
  out.push(...none);
  return out;
}

