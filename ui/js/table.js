// @ts-check
// The machines table, virtualised: only the rows in view are in the page, so 10,000
// machines stay fast. Sorting and filtering, each row's cells, and row errors that wrap
// to whatever height their words need.
import { call } from './ipc.js';
import { h, $ } from './dom.js';
import { relative, STATE_ICON } from './format.js';
import { sortKey, sortRows } from './order.js';
import { failureContent, copy } from './feedback.js';
import { t, tx, language } from './i18n.js';
import { state, queueRender, byId, openDetail, shownName, canConnect, openConnect } from './screen.js';
import { actionButtons } from './actions.js';
import { nextChangeMark, version as schedulesVersion } from './schedules.js';
import { GROUPED, keeper, headingElement } from './groups.js';
import { groupedLayout } from './grouping.js';

/** @typedef {import('./screen.js').Row} Row */
/** @typedef {import('./ipc.js').Failure} Failure */
/** @typedef {import('./groups.js').Heading} Heading */
/** @typedef {import('./groups.js').InGroup} InGroup */
/** One line of the table: a machine's row, or, grouped by group, a heading or a machine under one. @typedef {Row|Heading|InGroup} Line */

/** @param {Line} line @returns {line is Heading} */
const isHeading = (line) => 'header' in line;
/** The machine of a line that is not a heading. @param {Row|InGroup} line @returns {Row} */
const rowOf = (line) => ('section' in line ? line.r : line);
/** Which drawn row a line is: a machine under a heading is drawn once per heading. @param {Line} line */
const lineKey = (line) => (isHeading(line) ? `\u0001${line.header}` : 'section' in line ? `${line.section}\u0000${line.r.id}` : line.id);

const ROW = 40;
const ERROR_ROW = 44;
const OVERSCAN = 8;

/**
 * What the page's first request for news asks of a long list: the rows that fill the
 * window and those drawn beyond it, in the table's order (src-tauri/window/first_screen.rs).
 */
export function firstScreenAsk() {
  return { rows: Math.ceil(window.innerHeight / ROW) + OVERSCAN, column: state.sort.column, descending: state.sort.descending };
}

/**
 * Every machine in the chosen order, with its name in lower case for searching. Sorting
 * 10,000 rows takes tens of milliseconds, so it is done when the list or
 * the order changes, never on a keystroke: filtering a sorted list keeps its order.
 * @type {{machines: Row[]|null, column: string, descending: boolean, rows: Row[], names: string[]}}
 */
const sorted = { machines: null, column: '', descending: false, rows: [], names: [], /** @type {Map<string, number>|null} */ at: null };

function sortedMachines() {
  /** @type {Row[]} */
  const all = state.snapshot.machines;
  const { column, descending } = state.sort;
  if (sorted.column === column && sorted.descending === descending && sorted.machines !== all && patchSorted(all)) return sorted;
  if (sorted.machines !== all || sorted.column !== column || sorted.descending !== descending) {
    Object.assign(sorted, { machines: all, column, descending, at: null, ...sortRows(all, column, descending) });
  }
  return sorted;
}

/**
 * A list whose changed rows only replaced rows of the sorted one (a delta of machines
 * moving) keeps its order where their sort keys and names stayed: each row is put in its
 * place, and 10,000 rows are not sorted again for a few that changed their state.
 * @param {Row[]} all @returns {boolean} whether it was patched
 */
function patchSorted(all) {
  const replaced = state.snapshot.replaced;
  if (!replaced || replaced.from !== sorted.machines) return false;
  if (!sorted.at) sorted.at = new Map(sorted.rows.map((r, i) => [r.id, i]));
  const places = [];
  for (const r of replaced.rows) {
    const i = sorted.at.get(r.id);
    if (i === undefined) return false;
    const old = sorted.rows[i];
    if (old.name !== r.name || old.given !== r.given || !old.favourite !== !r.favourite || String(sortKey(old, sorted.column)) !== String(sortKey(r, sorted.column))) return false;
    places.push(i);
  }
  replaced.rows.forEach((r, k) => { sorted.rows[places[k]] = r; });
  sorted.machines = all;
  return true;
}

export function recompute() {
  const q = state.search.trim().toLowerCase();
  const f = state.filter;
  const { rows, names } = sortedMachines();
  const g = keeper();
  const shown = !q && !f && !g ? rows : rows.filter((r, i) => (!q || names[i].includes(q)) && (!f || r.state === f) && (!g || g(r)));
  state.shown = shown;
  /** @type {Line[]} */
  const lines = state.group === GROUPED ? groupedLayout(shown) : shown;
  state.lines = lines;
  const offsets = new Array(lines.length + 1);
  offsets[0] = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const error = !isHeading(line) && rowOf(line).error;
    offsets[i + 1] = offsets[i] + ROW + (error ? errorHeight(rowOf(line).id) : 0);
  }
  state.offsets = offsets;
  // A selected machine that is gone is no longer selected.
  if (state.selected.size) {
    for (const id of state.selected) if (!byId(id)) state.selected.delete(id);
  }
}

/** @param {string} id */
function errorHeight(id) {
  return state.errorHeights.get(id) ?? ERROR_ROW;
}

/**
 * Row errors wrap to as many lines as their words need, so their heights are read after
 * they are drawn (a layout, only while one is in view) and the rows placed again when
 * one differs from what was assumed.
 */
function measureErrorRows() {
  let changed = false;
  for (const tr of /** @type {NodeListOf<HTMLElement>} */ ($('rows').querySelectorAll('tr.row-error'))) {
    const id = tr.getAttribute('data-for');
    const height = tr.offsetHeight;
    if (id && height > 0 && state.errorHeights.get(id) !== height) {
      state.errorHeights.set(id, height);
      changed = true;
    }
  }
  if (changed) queueRender();
}


/** @param {Row} r */
export function stateCell(r) {
  const local = state.optimistic.get(r.id);
  if (r.pending || local) {
    const label = r.pending ? tx(r.pending.label) : /** @type {{label: string}} */ (local).label;
    // Waiting for its turn: the short word, and why in its tip.
    const queued = r.pending && r.pending.label.key === 'progress.queued';
    // Sent, and its next read held back by the account's limits: said in its tip.
    const held = r.pending && r.pending.sent && state.snapshot.readsHeldUntil > Date.now();
    const tip = queued ? t('progress.queued_tip') : held ? t('row.read_held_tip') : undefined;
    const parts = [h('span', { class: 'state busy', 'data-tip': tip }, [h('span', { class: 'spinner', 'aria-hidden': 'true' }), label])];
    if (r.pending && r.pending.slow) {
      parts.push(h('div', {
        class: 'slow-hint muted', text: t('row.stuck'),
        'data-tip': t('row.stuck_tip'),
      }));
    }
    return parts;
  }
  return [h('span', { class: `state ${r.state}`, 'data-tip': r.status || undefined }, [
    h('span', { class: 'icon', 'aria-hidden': 'true', text: STATE_ICON[r.state] || '?' }), tx(r.stateLabel),
  ])];
}

/**
 * An address cell: the address, Copy, and, on the address Connect uses (the external one,
 * else the internal one) of a running machine, Connect.
 * @param {Row} r @param {'external'|'internal'} which
 */
function ipCell(r, which) {
  const ip = which === 'external' ? r.externalIp : r.internalIp;
  if (!ip) return [h('span', { class: 'muted', text: '—' })];
  const name = shownName(r);
  const connects = canConnect(r) && (which === 'external' || !r.externalIp);
  return [h('span', { class: 'ip' }, [ip, h('button', {
    type: 'button', class: 'copy', 'aria-label': t(`row.copy_${which}_ip`, { name }), 'data-tip': t('row.copy'),
    onclick: (/** @type {Event} */ e) => { e.stopPropagation(); copy(ip, t(`row.${which}_ip_copied`)); },
  }), connects ? h('button', {
    type: 'button', class: 'connect', 'aria-haspopup': 'dialog', 'aria-label': t('connect.open_of', { name }), 'data-tip': t('connect.open'),
    onclick: (/** @type {Event} */ e) => { e.stopPropagation(); openConnect(r); },
  }, [h('span', { 'aria-hidden': 'true', text: '↗' })]) : null])];
}

/**
 * The rows in the page, by machine: what each was drawn from and its elements (the row,
 * and its error row when it has one).
 * @type {Map<string, {key: string, els: HTMLElement[]}>}
 */
let drawn = new Map();

/**
 * Everything a row's drawing depends on: its data, its marks on this page, the columns,
 * the words of the language and the time it says ("3 min ago").
 * @param {Row} r @param {number} span
 */
function rowKey(r, span) {
  const mark = state.optimistic.get(r.id);
  return JSON.stringify([r, state.selected.has(r.id), state.detail === r.id, mark ? mark.label : null, span, language(), relative(r.createdAt), schedulesVersion()]);
}

/** The two spacers that stand in for the rows above and below the view. */
const spacers = /** @type {Record<string, HTMLElement>} */ ({});

/**
 * A spacer row of `px` pixels (its height set through the CSSOM, which the strict CSP
 * allows, unlike style attributes), kept from one drawing to the next.
 * @param {'top'|'bottom'} which @param {number} px @param {number} span
 */
function spacer(which, px, span) {
  if (!spacers[which]) spacers[which] = h('tr', { class: 'spacer', 'aria-hidden': 'true' }, [h('td', {})]);
  const td = /** @type {HTMLTableCellElement} */ (spacers[which].firstChild);
  if (td.colSpan !== span) td.colSpan = span;
  const height = `${px}px`;
  if (td.style.height !== height) td.style.height = height;
  return spacers[which];
}

/** @param {Row} r @param {number} span the columns shown, for rows of one wide cell */
function rowElement(r, span) {
  const selected = state.selected.has(r.id);
  const tr = h('tr', { class: `machine${state.detail === r.id ? ' current' : ''}${r.error ? ' failed' : ''}`, 'data-id': r.id }, [
    h('td', { class: 'c-select' }, [h('input', {
      type: 'checkbox', 'aria-label': t('row.select', { name: shownName(r) }), checked: selected,
      onchange: (/** @type {Event} */ e) => {
        const on = /** @type {HTMLInputElement} */ (e.target).checked;
        if (on) state.selected.add(r.id); else state.selected.delete(r.id);
        queueRender();
      },
    })]),
    h('td', {}, [
      r.favourite ? h('span', { class: 'favourite', role: 'img', 'aria-label': t('groups.favourite'), 'data-tip': t('groups.favourite'), text: '★' }) : null,
      h('button', { type: 'button', class: 'name-button', 'aria-label': t('row.details', { name: shownName(r) }), 'data-tip': r.note ? `${shownName(r)}: ${r.note}` : shownName(r), 'data-tip-when': r.note ? undefined : 'cut', text: r.given || r.name, onclick: () => openDetail(r.id) }),
      r.given ? h('span', { class: 'service-name', 'aria-hidden': 'true', text: r.name }) : null,
      ...(r.groups || []).map((g) => h('span', { class: 'group-tag', text: g })),
      nextChangeMark(r.id),
    ]),
    h('td', {}, stateCell(r)),
    h('td', { class: 'small', text: r.zone || '—' }),
    h('td', { class: 'small', text: r.machineType || '—', 'data-tip': r.machineTypeFull || undefined }),
    h('td', {}, ipCell(r, 'external')),
    h('td', {}, ipCell(r, 'internal')),
    h('td', { class: 'small', text: r.templateId || '—', 'data-tip': r.templateId || undefined, 'data-tip-when': 'cut' }),
    h('td', { class: 'small', text: relative(r.createdAt), 'data-tip': r.createdAt || undefined }),
    h('td', {}, [h('div', { class: 'actions' }, actionButtons(r))]),
  ]);
  tr.addEventListener('click', () => openDetail(r.id));
  if (!r.error) return [tr];
  const err = /** @type {Failure} */ (r.error);
  // The app's sentence and the server's own words, in full: they wrap, never cut.
  return [tr, h('tr', { class: 'row-error', 'data-for': r.id }, [h('td', { colspan: String(span) }, [
    h('div', { class: 'banner error', role: 'alert', 'aria-label': t('row.problem', { name: shownName(r) }) }, [
      h('div', { class: 'row-error-body' }, failureContent(err)),
      h('button', { type: 'button', class: 'link', text: t('row.dismiss'), 'aria-label': t('row.dismiss_label', { name: shownName(r) }), onclick: () => call('dismiss_error', { id: r.id }) }),
    ]),
  ])])];
}

/**
 * The table's header height, and how many columns its width shows: rows of one wide cell
 * span only those (a wider span would add empty columns that take a share of the width).
 * Reading them forces a layout, so they are read again only when the room changes (a
 * resize, the detail panel), never on a keystroke or a scroll.
 */
const measured = { head: 0, span: 0, detail: false, stale: true };

function measureTable() {
  const detail = !$('detail').hidden;
  if (!measured.stale && measured.span > 0 && measured.detail === detail) return;
  const head = /** @type {HTMLTableSectionElement} */ ($('table').tHead);
  measured.head = head.offsetHeight;
  measured.span = [...head.rows[0].cells].filter((c) => c.offsetWidth > 0).length;
  measured.detail = detail;
  measured.stale = false;
}

export function renderRows() {
  const scroller = $('scroller');
  measureTable();
  const head = measured.head;
  const top = Math.max(0, scroller.scrollTop - head);
  const bottom = top + scroller.clientHeight;
  const { offsets, lines } = state;
  // First line whose bottom is below the top edge (binary search over the offsets).
  let lo = 0, hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid + 1] <= top) lo = mid + 1; else hi = mid;
  }
  const first = Math.max(0, lo - OVERSCAN);
  let last = lo;
  while (last < lines.length && offsets[last] < bottom) last++;
  last = Math.min(lines.length, last + OVERSCAN);
  const span = measured.span;
  const rows = [spacer('top', offsets[first], span)];
  const next = new Map();
  for (let i = first; i < last; i++) {
    const line = lines[i];
    const heading = isHeading(line);
    const key = heading ? JSON.stringify([line, span, language()]) : rowKey(rowOf(line), span);
    const which = lineKey(line);
    const before = drawn.get(which);
    const els = before && before.key === key ? before.els : heading ? [headingElement(line, span)] : rowElement(rowOf(line), span);
    next.set(which, { key, els });
    rows.push(...els);
  }
  drawn = next;
  rows.push(spacer('bottom', offsets[lines.length] - offsets[last], span));
  const body = $('rows');
  // Rows drawn from the same data keep their nodes, where they are: a list read again
  // every 30 s (or a scroll, a resize) must not swap a button between a press and its
  // release, which loses the click, nor take the keyboard focus away. Only rows that
  // changed, came or went are put in or taken out.
  const active = /** @type {HTMLElement|null} */ (document.activeElement);
  const focusKey = active && body.contains(active) ? active.getAttribute('aria-label') : null;
  const keep = new Set(rows);
  for (const el of [...body.children]) if (!keep.has(/** @type {HTMLElement} */ (el))) el.remove();
  rows.forEach((el, i) => {
    if (body.children[i] !== el) body.insertBefore(el, body.children[i] || null);
  });
  if (focusKey && !(active && body.contains(active))) {
    const again = /** @type {HTMLElement|null} */ (body.querySelector(`[aria-label="${CSS.escape(focusKey)}"]`));
    if (again) again.focus();
  }
  measureErrorRows();
}

/**
 * Moves keyboard focus to another machine's row (its name, where Enter opens the details):
 * `step` rows down (up when negative) from the row that has focus, or from the top when
 * none has; ±Infinity for the last and first. The row is scrolled into view first, since
 * only the rows in view are in the page.
 * @param {number} step
 */
export function focusRow(step) {
  const { lines, offsets } = state;
  if (!state.shown.length) return;
  const active = /** @type {HTMLElement|null} */ (document.activeElement);
  const tr = active && active.closest ? active.closest('tr.machine') : null;
  // Grouped by group, the row's place among the drawn lines (a machine can be under two).
  const at = tr ? lines.findIndex((line) => !isHeading(line) && (drawn.get(lineKey(line))?.els[0] === tr)) : -1;
  const from = at < 0 ? (step > 0 ? -1 : lines.length) : at;
  const way = Math.sign(step) || 1;
  let index = Math.min(lines.length - 1, Math.max(0, from + (Number.isFinite(step) ? step : way * lines.length)));
  // Headings are passed over; at either end, the nearest machine the other way.
  while (index >= 0 && index < lines.length && isHeading(lines[index])) index += way;
  if (index < 0 || index >= lines.length) {
    index = Math.min(lines.length - 1, Math.max(0, index));
    while (index >= 0 && index < lines.length && isHeading(lines[index])) index -= way;
  }
  const line = lines[index];
  if (!line || isHeading(line)) return;
  const scroller = $('scroller');
  measureTable();
  const view = scroller.clientHeight - measured.head;
  if (offsets[index] < scroller.scrollTop) scroller.scrollTop = offsets[index];
  else if (offsets[index] + ROW > scroller.scrollTop + view) scroller.scrollTop = offsets[index] + ROW - view;
  renderRows();
  const name = /** @type {HTMLElement|undefined} */ (drawn.get(lineKey(line))?.els[0]?.querySelector('.name-button'));
  name?.focus();
}

/**
 * Puts keyboard focus on the machine's name in its row, when the row is in the page.
 * @param {string} id
 */
export function focusName(id) {
  const name = /** @type {HTMLElement|null} */ ($('rows').querySelector(`tr.machine[data-id="${CSS.escape(id)}"] .name-button`));
  name?.focus();
}

/** The window changed size: the table's columns are measured again. */
export function tableResized() {
  measured.stale = true;
}
