// @ts-check
// What the parts of the machines screen share: its state, rendering once at the next
// frame, finding a machine by id, and the small things every part does (open a machine's
// details or its history, clear the filters).
import { $ } from './dom.js';
import { toast } from './feedback.js';
import { t } from './i18n.js';

/** @typedef {import('./ipc.js').Failure} Failure */
/** @typedef {{id: string, name: string, given?: string, note?: string, groups?: string[], favourite?: boolean, status: string, state: string, stateLabel: string, zone: string|null, machineType: string|null, machineTypeFull: string|null, externalIp: string|null, internalIp: string|null, templateId: string|null, createdAt: string|null, pending: {action: string, label: string, slow: boolean}|null, error: Failure|null, can: Record<string, boolean>}} Row */

/**
 * A machine as a person names it: the name given on this computer with the service's
 * beside it ("Accounting PC (tw-550e84-a1b2c3d4)"), or the service's alone.
 * @param {{name: string, given?: string}} r
 */
export function shownName(r) {
  return r.given ? t('names.both', { given: r.given, name: r.name }) : r.name;
}

export const state = {
  /** @type {any} */ snapshot: { seq: 0, loaded: false, machines: [] },
  /** @type {Row[]} */ shown: [],
  /** The table's lines: the rows shown, or, grouped by group, headings and rows under them. */
  /** @type {any[]} */ lines: [],
  /** @type {number[]} */ offsets: [0],
  search: '',
  filter: '',
  /** The "Show" choice (groups.js): every machine, the favourites, grouped, or one group. */
  group: '',
  /** @type {{column: string, descending: boolean}} */ sort: { column: 'name', descending: false },
  /** @type {Set<string>} */ selected: new Set(),
  /** @type {string|null} */ detail: null,
  /**
   * Rows clicked, shown in progress within a frame and kept so (buttons off) until a
   * snapshot at least as new as `untilSeq` shows the outcome: the row pending, or its error.
   * @type {Map<string, {label: string, untilSeq: number}>}
   */
  optimistic: new Map(),
  /** The measured height of each row error in view (they wrap, so it varies). */
  /** @type {Map<string, number>} */ errorHeights: new Map(),
  /** @type {import('./i18n.js').Text[]} */ extraBanners: [],
};

/** The screen's whole render, set once by machines.js. */
let renderer = () => {};

/** @param {() => void} render */
export function onRender(render) {
  renderer = render;
}

/** Renders now, within this frame (feedback to a click). */
export function renderNow() {
  renderer();
}

let renderQueued = false;
/** Renders at the next frame, once, however many changes come before it. */
export function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderer();
  });
}

/** Machines by id, built once per list (bulk actions look up thousands). */
const index = { /** @type {Row[]|null} */ machines: null, /** @type {Map<string, Row>} */ byId: new Map() };

/** @param {string} id @returns {Row|undefined} */
export function byId(id) {
  const replaced = state.snapshot.replaced;
  if (index.machines !== state.snapshot.machines && replaced && replaced.from === index.machines) {
    // Rows replaced in place (a delta of machines moving): the index is patched.
    for (const r of replaced.rows) index.byId.set(r.id, r);
    index.machines = state.snapshot.machines;
  }
  if (index.machines !== state.snapshot.machines) {
    index.machines = state.snapshot.machines;
    index.byId = new Map(state.snapshot.machines.map((/** @type {Row} */ r) => [r.id, r]));
  }
  return index.byId.get(id);
}


/** @type {Promise<typeof import('./history.js')>|null} */
let history = null;

/**
 * Opens the History panel (its code is loaded the first time), on one machine when given.
 * @param {{machineId?: string, machine?: string}} [o]
 */
export function openHistory(o) {
  history = history || import('./history.js');
  history.then((m) => m.open(o)).catch((e) => toast(t('history.open_failed', { error: e && e.message ? e.message : String(e) })));
}

/**
 * Whether Connect is offered for machine `r`: it runs and has an address.
 * @param {Row} r
 */
export function canConnect(r) {
  return r.state === 'running' && !!(r.externalIp || r.internalIp);
}

/**
 * Opens Connect for machine `r` (its code is loaded the first time).
 * @param {Row} r
 */
export function openConnect(r) {
  import('./connect.js').then((m) => m.open(r)).catch((e) => toast(t('connect.open_failed', { error: e && e.message ? e.message : String(e) })));
}

/** The machines changed: an open History panel looks for new entries. */
export function historyChanged() {
  if (history) history.then((m) => m.changed()).catch(() => {});
}

/** @param {string} id */
export function openDetail(id) {
  state.detail = id;
  queueRender();
}

export function clearFilters() {
  state.search = '';
  state.filter = '';
  state.group = '';
  /** @type {HTMLInputElement} */ ($('search')).value = '';
  /** @type {HTMLSelectElement} */ ($('state-filter')).value = '';
  queueRender();
}
