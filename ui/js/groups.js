// @ts-check
// Groups and favourites (kept with the names, names.js): the toolbar's "Show" choice
// (every machine, the favourites, grouped by group, or one group), the grouped list's
// heading rows, and the bar that starts, shuts down or restarts the group shown as one
// bulk. A group is one whatever its letters' case ("Accounting", "accounting").
import { h, $ } from './dom.js';
import { count } from './format.js';
import { t } from './i18n.js';
import { state } from './screen.js';
import { groupKey, groupsOf, memberOf } from './grouping.js';
import { groupWatched } from './schedules.js';

/** @typedef {import('./screen.js').Row} Row */
/** @typedef {import('./grouping.js').Heading} Heading */
/** @typedef {import('./grouping.js').InGroup} InGroup */

/** The "Show" choices that are not one group. */
export const EVERY = '';
export const FAVOURITES = '*favourites';
export const GROUPED = '*grouped';
/** The choice of one group: its name after this. */
const ONE = 'group:';

/** The groups of the list last looked at, built once per list. */
const known = { /** @type {Row[]|null} */ machines: null, /** @type {{name: string, count: number}[]} */ groups: [] };

/**
 * The groups of the list on screen, each with how many machines it holds, in the order
 * people read them (the first spelling met names one).
 * @returns {{name: string, count: number}[]}
 */
export function groupsShown() {
  const all = /** @type {Row[]} */ (state.snapshot.machines);
  if (known.machines === all) return known.groups;
  known.machines = all;
  known.groups = groupsOf(all);
  return known.groups;
}

/** The one group chosen, or null. @returns {string|null} */
export function chosenGroup() {
  return state.group.startsWith(ONE) ? state.group.slice(ONE.length) : null;
}

/**
 * The rows the "Show" choice keeps, as a test of each row; null when it keeps them all
 * (every machine, or grouped by group).
 * @returns {((r: Row) => boolean)|null}
 */
export function keeper() {
  if (state.group === FAVOURITES) return (r) => !!r.favourite;
  const one = chosenGroup();
  return one === null ? null : memberOf(one);
}

/** The heading row of one group in the grouped list. @param {Heading} e @param {number} span */
export function headingElement(e, span) {
  const title = e.header ? t('groups.heading', { group: e.header, what: count(e.count, 'machines') }) : t('groups.heading_none', { what: count(e.count, 'machines') });
  return h('tr', { class: 'group-heading' }, [h('th', { scope: 'rowgroup', colspan: String(span), text: title })]);
}

/** The "Show" choice's options, made again only when the groups change. */
let optionsFor = '';

/** The toolbar's "Show" choice and, for one group, the bar that acts on it. */
export function renderGroupChoice() {
  const groups = groupsShown();
  const select = /** @type {HTMLSelectElement} */ ($('group-filter'));
  const one = chosenGroup();
  // A group no machine is in any more is no longer shown.
  if (one !== null && !groups.some((g) => groupKey(g.name) === groupKey(one))) state.group = EVERY;
  const wanted = JSON.stringify([groups, t('groups.every')]);
  if (optionsFor !== wanted) {
    optionsFor = wanted;
    select.replaceChildren(
      h('option', { value: EVERY, text: t('groups.every') }),
      h('option', { value: FAVOURITES, text: t('groups.favourites') }),
      h('option', { value: GROUPED, text: t('groups.grouped'), disabled: groups.length === 0 }),
      ...groups.map((g) => h('option', { value: ONE + g.name, text: t('groups.one', { group: g.name, what: count(g.count, 'machines') }) })),
    );
  }
  if (select.value !== state.group) select.value = state.group;
  const bar = $('group-bar');
  bar.hidden = one === null || state.group === EVERY;
  if (!bar.hidden) {
    const n = groups.find((g) => groupKey(g.name) === groupKey(/** @type {string} */ (one)))?.count ?? 0;
    const words = t('groups.bar', { group: /** @type {string} */ (one), what: count(n, 'machines') });
    const text = $('group-bar-text');
    if (text.textContent !== words) text.textContent = words;
    // Watched as one, or with the whole account: pressed either way.
    const watch = $('group-watch');
    const pressed = String(groupWatched(/** @type {string} */ (one)));
    if (watch.getAttribute('aria-pressed') !== pressed) watch.setAttribute('aria-pressed', pressed);
  }
}

/** Every machine of the group chosen (whatever the search and the state filter show). */
export function machinesOfChosenGroup() {
  const one = chosenGroup();
  if (one === null) return [];
  return /** @type {Row[]} */ (state.snapshot.machines).filter(memberOf(one)).map((r) => r.id);
}

/** The "Show" choice made in the toolbar. @param {string} value */
export function choose(value) {
  state.group = value;
}
