// @ts-check
// The machines screen: a virtualised table (thousands of rows stay fast), search, state
// filter, sorting, selection and bulk actions, the detail panel, and the banners.
import { call, copyText } from './ipc.js';
import { h, $ } from './dom.js';
import { ago, relative, plural, STATE_ICON, inSeconds, parseTime, dateTime, naturalCompare } from './format.js';
import { failureContent, toast } from './feedback.js';
import { confirm, showResults, openCreate } from './dialogs.js';

/** @typedef {import('./ipc.js').Failure} Failure */
/** @typedef {{id: string, name: string, status: string, state: string, stateLabel: string, zone: string|null, machineType: string|null, machineTypeFull: string|null, externalIp: string|null, internalIp: string|null, templateId: string|null, createdAt: string|null, pending: {action: string, label: string, slow: boolean}|null, error: Failure|null, can: Record<string, boolean>}} Row */

const ROW = 40;
const ERROR_ROW = 44;
const OVERSCAN = 8;

/** What each action is called, on buttons and in confirmations. */
const ACTIONS = /** @type {const} */ ([
  { key: 'start', label: 'Start', icon: '▶', progress: 'Starting…' },
  { key: 'stop', label: 'Shut down', icon: '■', progress: 'Stopping…' },
  { key: 'restart', label: 'Restart', icon: '↻', progress: 'Restarting…' },
  { key: 'reset', label: 'Force reset', icon: '⚡', progress: 'Resetting…' },
  { key: 'delete', label: 'Delete', icon: '✕', progress: 'Deleting…' },
]);

const state = {
  /** @type {any} */ snapshot: { seq: 0, loaded: false, machines: [] },
  /** @type {Row[]} */ shown: [],
  /** @type {number[]} */ offsets: [0],
  search: '',
  filter: '',
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
  /** @type {string[]} */ extraBanners: [],
};

let renderQueued = false;
/** Renders at the next frame, once, however many changes come before it. */
function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

// ---------------------------------------------------------------- data

/** @param {Row} r @param {string} column */
function sortKey(r, column) {
  switch (column) {
    case 'state': return r.stateLabel;
    case 'createdAt': return parseTime(r.createdAt) ?? 0;
    default: return /** @type {any} */ (r)[column] ?? '';
  }
}

/**
 * Every machine in the chosen order, with its name in lower case for searching. Sorting
 * 10,000 rows takes tens of milliseconds, so it is done when the list or
 * the order changes, never on a keystroke: filtering a sorted list keeps its order.
 * @type {{machines: Row[]|null, column: string, descending: boolean, rows: Row[], names: string[]}}
 */
const sorted = { machines: null, column: '', descending: false, rows: [], names: [] };

function sortedMachines() {
  /** @type {Row[]} */
  const all = state.snapshot.machines;
  const { column, descending } = state.sort;
  if (sorted.machines !== all || sorted.column !== column || sorted.descending !== descending) {
    const dir = descending ? -1 : 1;
    const keyed = all.map((r) => {
      const k = sortKey(r, column);
      return { r, k: typeof k === 'number' ? k : String(k).toLowerCase(), name: r.name.toLowerCase() };
    });
    keyed.sort((a, b) => {
      const x = a.k;
      const y = b.k;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : naturalCompare(String(x), String(y));
      return (c || naturalCompare(a.name, b.name)) * dir;
    });
    Object.assign(sorted, {
      machines: all, column, descending,
      rows: keyed.map((e) => e.r),
      names: keyed.map((e) => e.name),
    });
  }
  return sorted;
}

function recompute() {
  const q = state.search.trim().toLowerCase();
  const f = state.filter;
  const { rows, names } = sortedMachines();
  const shown = !q && !f ? rows : rows.filter((r, i) => (!q || names[i].includes(q)) && (!f || r.state === f));
  state.shown = shown;
  const offsets = new Array(shown.length + 1);
  offsets[0] = 0;
  for (let i = 0; i < shown.length; i++) offsets[i + 1] = offsets[i] + ROW + (shown[i].error ? errorHeight(shown[i].id) : 0);
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

/** Machines by id, built once per list (bulk actions look up thousands). */
const index = { /** @type {Row[]|null} */ machines: null, /** @type {Map<string, Row>} */ byId: new Map() };

/** @param {string} id @returns {Row|undefined} */
function byId(id) {
  if (index.machines !== state.snapshot.machines) {
    index.machines = state.snapshot.machines;
    index.byId = new Map(state.snapshot.machines.map((/** @type {Row} */ r) => [r.id, r]));
  }
  return index.byId.get(id);
}

// ---------------------------------------------------------------- rendering

/** @param {Row} r */
function stateCell(r) {
  const local = state.optimistic.get(r.id);
  if (r.pending || local) {
    const label = r.pending ? r.pending.label : /** @type {{label: string}} */ (local).label;
    const parts = [h('span', { class: 'state busy' }, [h('span', { class: 'spinner', 'aria-hidden': 'true' }), label])];
    if (r.pending && r.pending.slow) {
      parts.push(h('div', {
        class: 'slow-hint muted', text: 'Stuck? Force reset',
        title: 'The shutdown is taking much longer than usual. Force reset turns the machine off and on again.',
      }));
    }
    return parts;
  }
  return [h('span', { class: `state ${r.state}`, title: r.status }, [
    h('span', { class: 'icon', 'aria-hidden': 'true', text: STATE_ICON[r.state] || '?' }), r.stateLabel,
  ])];
}

/** @param {string|null} ip @param {string} which @param {string} name */
function ipCell(ip, which, name) {
  if (!ip) return [h('span', { class: 'muted', text: '—' })];
  return [h('span', { class: 'ip' }, [ip, h('button', {
    type: 'button', class: 'copy', 'aria-label': `Copy ${which} IP of ${name}`, title: 'Copy',
    onclick: (/** @type {Event} */ e) => { e.stopPropagation(); copy(ip, `${which} IP copied`); },
  })])];
}

/** @param {Row} r */
function actionButtons(r, withWords = false) {
  const busy = state.optimistic.has(r.id);
  return ACTIONS.map((a) => h('button', {
    type: 'button',
    class: a.key === 'delete' ? 'danger' : undefined,
    'aria-label': withWords ? a.label : `${a.label} ${r.name}`,
    title: withWords ? undefined : a.label,
    disabled: busy || !r.can[a.key],
    'data-action': a.key,
    onclick: (/** @type {Event} */ e) => { e.stopPropagation(); act([r.id], a.key); },
  }, withWords ? [h('span', { 'aria-hidden': 'true', text: a.icon + ' ' }), a.label] : [h('span', { 'aria-hidden': 'true', text: a.icon })]));
}

/** @param {Row} r @param {number} span the columns shown, for rows of one wide cell */
function rowElement(r, span) {
  const selected = state.selected.has(r.id);
  const tr = h('tr', { class: `machine${state.detail === r.id ? ' current' : ''}${r.error ? ' failed' : ''}`, 'data-id': r.id }, [
    h('td', { class: 'c-select' }, [h('input', {
      type: 'checkbox', 'aria-label': `Select ${r.name}`, checked: selected,
      onchange: (/** @type {Event} */ e) => {
        const on = /** @type {HTMLInputElement} */ (e.target).checked;
        if (on) state.selected.add(r.id); else state.selected.delete(r.id);
        queueRender();
      },
    })]),
    h('td', {}, [h('button', { type: 'button', class: 'name-button', 'aria-label': `Details of ${r.name}`, title: r.name, text: r.name, onclick: () => openDetail(r.id) })]),
    h('td', {}, stateCell(r)),
    h('td', { class: 'small', text: r.zone || '—' }),
    h('td', { class: 'small', text: r.machineType || '—', title: r.machineTypeFull || undefined }),
    h('td', {}, ipCell(r.externalIp, 'external', r.name)),
    h('td', {}, ipCell(r.internalIp, 'internal', r.name)),
    h('td', { class: 'small', text: r.templateId || '—', title: r.templateId || undefined }),
    h('td', { class: 'small', text: relative(r.createdAt), title: r.createdAt || undefined }),
    h('td', {}, [h('div', { class: 'actions' }, actionButtons(r))]),
  ]);
  tr.addEventListener('click', () => openDetail(r.id));
  if (!r.error) return [tr];
  const err = /** @type {Failure} */ (r.error);
  // The app's sentence and the server's own words, in full: they wrap, never cut.
  return [tr, h('tr', { class: 'row-error', 'data-for': r.id }, [h('td', { colspan: String(span) }, [
    h('div', { class: 'banner error', role: 'alert', 'aria-label': `Problem with ${r.name}` }, [
      h('div', { class: 'row-error-body' }, failureContent(err)),
      h('button', { type: 'button', class: 'link', text: 'Dismiss', 'aria-label': `Dismiss the problem with ${r.name}`, onclick: () => call('dismiss_error', { id: r.id }) }),
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

function renderRows() {
  const scroller = $('scroller');
  measureTable();
  const head = measured.head;
  const top = Math.max(0, scroller.scrollTop - head);
  const bottom = top + scroller.clientHeight;
  const { offsets, shown } = state;
  // First row whose bottom is below the top edge (binary search over the offsets).
  let lo = 0, hi = shown.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid + 1] <= top) lo = mid + 1; else hi = mid;
  }
  const first = Math.max(0, lo - OVERSCAN);
  let last = lo;
  while (last < shown.length && offsets[last] < bottom) last++;
  last = Math.min(shown.length, last + OVERSCAN);
  const span = measured.span;
  // Spacers stand in for the rows above and below (heights set through the CSSOM, which
  // the strict CSP allows, unlike style attributes).
  const spacer = (/** @type {number} */ px) => {
    const td = h('td', { colspan: String(span) });
    td.style.height = `${px}px`;
    return h('tr', { class: 'spacer', 'aria-hidden': 'true' }, [td]);
  };
  const rows = [spacer(offsets[first])];
  for (let i = first; i < last; i++) rows.push(...rowElement(shown[i], span));
  rows.push(spacer(offsets[shown.length] - offsets[last]));
  // Keep keyboard focus on the same control when rows are rebuilt.
  const active = /** @type {HTMLElement|null} */ (document.activeElement);
  const focusKey = active && $('rows').contains(active) ? active.getAttribute('aria-label') : null;
  $('rows').replaceChildren(...rows);
  if (focusKey) {
    const again = /** @type {HTMLElement|null} */ ($('rows').querySelector(`[aria-label="${CSS.escape(focusKey)}"]`));
    if (again) again.focus();
  }
  measureErrorRows();
}

function renderEmpty() {
  const empty = $('empty');
  const snap = state.snapshot;
  if (!snap.loaded) {
    // The banner above says why nothing has come yet; this says what will happen.
    empty.hidden = false;
    empty.replaceChildren(h('p', {}, [
      h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      snap.problem ? ' Your machines will appear here as soon as ThreatWinds answers.' : ' Loading your machines…',
    ]));
  } else if (snap.machines.length === 0) {
    empty.hidden = false;
    empty.replaceChildren(
      h('h2', { text: 'You have no machines yet' }),
      h('p', { text: 'Create one from a template; it will be ready in a minute or two.' }),
      h('button', { type: 'button', class: 'primary', text: 'Create your first machine', onclick: create }),
    );
  } else if (state.shown.length === 0) {
    empty.hidden = false;
    empty.replaceChildren(
      h('h2', { text: 'No machines match' }),
      h('p', { text: state.search ? `Nothing is called “${state.search}”${state.filter ? ' in this state' : ''}.` : 'No machine is in this state.' }),
      h('button', { type: 'button', text: 'Show all machines', onclick: clearFilters }),
    );
  } else {
    empty.hidden = true;
  }
  $('table').hidden = snap.loaded && state.shown.length === 0 || (!snap.loaded);
}

function renderToolbar() {
  const total = state.snapshot.machines.length;
  $('search-clear').hidden = !state.search;
  $('count').textContent = state.snapshot.loaded
    ? (state.shown.length === total ? plural(total, 'machine') : `${state.shown.length} of ${plural(total, 'machine')}`)
    : '';
  for (const th of document.querySelectorAll('th[data-sort]')) {
    const col = th.getAttribute('data-sort');
    if (col === state.sort.column) th.setAttribute('aria-sort', state.sort.descending ? 'descending' : 'ascending');
    else th.removeAttribute('aria-sort');
  }
  const n = state.selected.size;
  $('bulkbar').hidden = n === 0;
  $('bulk-count').textContent = `${plural(n, 'machine')} selected`;
  const selectAll = /** @type {HTMLInputElement} */ ($('select-all'));
  const shownSelected = state.shown.filter((r) => state.selected.has(r.id)).length;
  selectAll.checked = shownSelected > 0 && shownSelected === state.shown.length;
  selectAll.indeterminate = shownSelected > 0 && shownSelected < state.shown.length;
  const selectedRows = [...state.selected].map(byId).filter(Boolean);
  for (const b of /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('[data-bulk]'))) {
    const key = /** @type {string} */ (b.dataset.bulk);
    b.disabled = !selectedRows.some((r) => /** @type {Row} */ (r).can[key]);
  }
}

function renderBanners() {
  const snap = state.snapshot;
  const banners = [];
  for (const text of state.extraBanners) banners.push(h('div', { class: 'banner warn', role: 'status' }, [h('p', { text })]));
  if (snap.problem) {
    const f = /** @type {Failure} */ (snap.problem);
    const when = snap.retryAt ? inSeconds(Math.max(1, Math.round((snap.retryAt - Date.now()) / 1000))) : 'shortly';
    let text;
    if (snap.offline) {
      text = snap.updatedAt
        ? `Compute Desk cannot reach ThreatWinds right now. The list shows the machines as they were ${ago(Date.now() - snap.updatedAt)}; it will update by itself when the connection is back (next try ${when}).`
        : `Compute Desk cannot reach ThreatWinds right now. It will try again ${when}; check your internet connection.`;
    } else if (f.kind === 'rate_limited') {
      text = `ThreatWinds asked Compute Desk to slow down for a moment. The list will update again ${when}; nothing is lost.`;
    } else if (f.kind === 'auth') {
      text = f.message;
    } else {
      text = `${f.message} Trying again ${when}.`;
    }
    const body = failureContent({ ...f, message: text });
    banners.push(h('div', { class: `banner ${snap.offline || f.kind === 'rate_limited' ? 'warn' : 'error'}`, role: 'alert', id: 'list-problem' }, [h('div', {}, body)]));
  }
  $('banners').replaceChildren(...banners);
}

function renderDetail() {
  const aside = $('detail');
  const r = state.detail ? byId(state.detail) : undefined;
  if (!r) {
    aside.hidden = true;
    return;
  }
  aside.hidden = false;
  const created = parseTime(r.createdAt);
  const field = (/** @type {string} */ k, /** @type {any} */ v) => [h('dt', { text: k }), h('dd', { text: v == null || v === '' ? '—' : String(v) })];
  aside.replaceChildren(...[
    h('button', { type: 'button', class: 'link close', text: 'Close', 'aria-label': 'Close details', onclick: () => { state.detail = null; queueRender(); } }),
    h('h2', { id: 'detail-title', text: r.name }),
    h('div', {}, stateCell(r)),
    h('div', { class: 'detail-actions', role: 'group', 'aria-label': `Actions for ${r.name}` }, actionButtons(r, true)),
    h('dl', {}, [
      ...field('Machine ID', r.id),
      ...field('State', `${r.stateLabel} (${r.status || 'not reported'})`),
      ...field('Zone', r.zone),
      ...field('Machine type', r.machineTypeFull),
      ...field('External IP', r.externalIp),
      ...field('Internal IP', r.internalIp),
      ...field('Template', r.templateId),
      ...field('Created', created !== null ? `${dateTime(created)} (${relative(r.createdAt)})` : r.createdAt),
    ]),
    r.error ? h('div', { class: 'banner error' }, failureContent(r.error)) : null,
    h('button', { type: 'button', text: 'Copy support info', onclick: () => copy(supportInfo(r), 'Support info copied') }),
  ].filter((e) => e !== null));
}

/** @param {Row} r */
function supportInfo(r) {
  const lines = [
    `Machine: ${r.name}`, `ID: ${r.id}`, `State: ${r.status || 'not reported'}`, `Zone: ${r.zone || '-'}`,
    `Machine type: ${r.machineTypeFull || '-'}`, `External IP: ${r.externalIp || '-'}`, `Internal IP: ${r.internalIp || '-'}`,
    `Template: ${r.templateId || '-'}`, `Created: ${r.createdAt || '-'}`,
  ];
  if (r.error) lines.push(`Last problem: ${r.error.message}`, `Support code: ${r.error.errorId || '-'}`);
  return lines.join('\n');
}

export function render() {
  recompute();
  renderEmpty();
  // Before the rows: the panel takes room from the table, which decides its columns.
  renderDetail();
  renderRows();
  renderToolbar();
  renderBanners();
  renderUpdated();
}

function renderUpdated() {
  const snap = state.snapshot;
  $('updated').textContent = snap.updatedAt ? `Updated ${ago(Date.now() - snap.updatedAt)}` : '';
}

// ---------------------------------------------------------------- actions

/** @param {string} text @param {string} done */
async function copy(text, done) {
  try {
    await copyText(text);
    toast(done);
  } catch {
    toast('Could not copy to the clipboard.');
  }
}

/** @param {string} id */
function openDetail(id) {
  state.detail = id;
  queueRender();
}

function clearFilters() {
  state.search = '';
  state.filter = '';
  /** @type {HTMLInputElement} */ ($('search')).value = '';
  /** @type {HTMLSelectElement} */ ($('state-filter')).value = '';
  queueRender();
}

/** Asks where the action cannot be undone or loses work; true to go ahead. */
async function confirmAction(/** @type {string} */ action, /** @type {Row[]} */ rows) {
  const one = rows.length === 1 ? rows[0].name : null;
  const what = one || plural(rows.length, 'machine');
  switch (action) {
    case 'stop':
      return confirm({ title: `Shut down ${what}?`, text: `${one ? 'The machine' : 'Each machine'} will close its programs and turn off. You can start ${one ? 'it' : 'them'} again later.`, ok: 'Shut down' });
    case 'restart':
      return confirm({ title: `Restart ${what}?`, text: `${one ? 'The machine' : 'Each machine'} will shut down and start again. It is unavailable for a minute or so.`, ok: 'Restart' });
    case 'reset':
      return confirm({ title: `Force reset ${what}?`, text: 'This is like pulling the plug and switching it on again: anything not saved on the machine is lost. Use it only when the machine does not respond.', ok: 'Force reset', danger: true });
    case 'delete':
      return confirm({
        title: `Delete ${what}?`,
        text: `This deletes ${one ? 'the machine' : 'these machines'} and everything on ${one ? 'its disk' : 'their disks'}. It cannot be undone.`,
        ok: one ? 'Delete machine' : 'Delete machines', danger: true,
        typed: one || String(rows.length),
        typedLabel: one ? `Type ${one} to confirm` : `Type ${rows.length} to confirm`,
      });
    default:
      return true;
  }
}

/** @param {string[]} ids @param {string} action */
async function act(ids, action) {
  const rows = /** @type {Row[]} */ (ids.map(byId).filter((r) => r && r.can[action]));
  const meta = /** @type {any} */ (ACTIONS.find((a) => a.key === action));
  if (rows.length === 0) {
    toast(`None of the selected machines can ${meta.label.toLowerCase()} right now.`);
    return;
  }
  if (!(await confirmAction(action, rows))) return;
  for (const r of rows) state.optimistic.set(r.id, { label: meta.progress, untilSeq: Infinity });
  render(); // within this frame
  let results;
  try {
    results = await call('act', { ids: rows.map((r) => r.id), action });
  } catch (e) {
    for (const r of rows) state.optimistic.delete(r.id);
    queueRender();
    const f = /** @type {Failure} */ (e);
    showResults(`${meta.label} did not happen`, rows.map((r) => ({ name: r.name, ok: false, skipped: false, error: f })));
    return;
  }
  // Each row stays in progress until a snapshot shows what became of it.
  for (const result of results) {
    if (result.skipped) state.optimistic.delete(result.id);
    else state.optimistic.set(result.id, { label: meta.progress, untilSeq: result.seq });
  }
  settleOptimistic();
  queueRender();
  const skippedBefore = ids.length - rows.length;
  if (ids.length > 1) {
    const okCount = results.filter((/** @type {any} */ r) => r.ok).length;
    const title = `${meta.label}: ${okCount} of ${plural(results.length + skippedBefore, 'machine')} done`;
    const skipped = ids.filter((id) => !rows.some((r) => r.id === id)).map((id) => ({ name: byId(id)?.name || id, ok: false, skipped: true, error: null }));
    showResults(title, [...results, ...skipped]);
    state.selected.clear();
  }
}

async function create() {
  const row = await openCreate();
  if (row) {
    toast(`Creating ${row.name}. It will be ready in a minute or two.`);
    clearFilters();
    state.detail = row.id;
    queueRender();
  }
}

// ---------------------------------------------------------------- wiring

let firstListMarked = false;

/** Forgets the in-progress marks that the current snapshot has caught up with. */
function settleOptimistic() {
  for (const [id, mark] of state.optimistic) {
    if (mark.untilSeq <= state.snapshot.seq) state.optimistic.delete(id);
  }
}

/**
 * A snapshot from the Rust side, pushed or asked for. An older one than the page has
 * (a call's answer overtaken by a push) is dropped: the newer one always wins.
 * @param {any} snapshot
 */
export function update(snapshot) {
  if (snapshot.seq < state.snapshot.seq) return;
  state.snapshot = snapshot;
  settleOptimistic();
  if (snapshot.loaded && !firstListMarked) {
    // User Timing marks, read by the desktop benchmark: the first list received, and
    // painted (the frame after it was rendered).
    firstListMarked = true;
    performance.mark('first-list-received');
    requestAnimationFrame(() => setTimeout(() => performance.mark('first-list-painted'), 0));
  }
  queueRender();
}

/** Forgets what this screen showed (sign-out). */
export function reset() {
  // Sign-out: the Rust side's count goes on, so what it sends next is newer still.
  state.snapshot = { seq: state.snapshot.seq, loaded: false, machines: [] };
  state.errorHeights.clear();
  state.selected.clear();
  state.detail = null;
  state.optimistic.clear();
  clearFilters();
}

/** @param {{column: string, descending: boolean}|null} sort */
export function setSort(sort) {
  if (sort) state.sort = sort;
}

/** @param {string[]} texts */
export function setBanners(texts) {
  state.extraBanners = texts;
  queueRender();
}

export function setup() {
  $('search').addEventListener('input', (/** @type {Event} */ e) => {
    state.search = /** @type {HTMLInputElement} */ (e.target).value;
    $('scroller').scrollTop = 0;
    render();
  });
  $('search').addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
    if (e.key === 'Escape' && state.search) { e.preventDefault(); clearFilters(); }
  });
  $('search-clear').addEventListener('click', () => {
    const search = /** @type {HTMLInputElement} */ ($('search'));
    search.value = '';
    search.dispatchEvent(new Event('input'));
    search.focus();
  });
  $('state-filter').addEventListener('change', (/** @type {Event} */ e) => {
    state.filter = /** @type {HTMLSelectElement} */ (e.target).value;
    $('scroller').scrollTop = 0;
    render();
  });
  for (const th of document.querySelectorAll('th[data-sort]')) {
    th.querySelector('button')?.addEventListener('click', () => {
      const column = /** @type {string} */ (th.getAttribute('data-sort'));
      state.sort = { column, descending: state.sort.column === column ? !state.sort.descending : false };
      call('save_sort', { sort: state.sort }).catch(() => {});
      render();
    });
  }
  $('select-all').addEventListener('change', (/** @type {Event} */ e) => {
    const on = /** @type {HTMLInputElement} */ (e.target).checked;
    for (const r of state.shown) {
      if (on) state.selected.add(r.id); else state.selected.delete(r.id);
    }
    render();
  });
  for (const b of document.querySelectorAll('[data-bulk]')) {
    b.addEventListener('click', () => act([...state.selected], /** @type {string} */ (/** @type {HTMLElement} */ (b).dataset.bulk)));
  }
  $('bulk-clear').addEventListener('click', () => { state.selected.clear(); render(); });
  $('create-open').addEventListener('click', create);
  $('refresh').addEventListener('click', () => call('refresh').catch(() => {}));
  // Only vertical scrolling changes which rows are in view.
  let lastTop = 0;
  $('scroller').addEventListener('scroll', () => {
    const top = $('scroller').scrollTop;
    if (top !== lastTop) {
      lastTop = top;
      queueRender();
    }
  }, { passive: true });
  window.addEventListener('resize', () => { measured.stale = true; queueRender(); });
  document.addEventListener('keydown', (e) => {
    const t = /** @type {HTMLElement} */ (e.target);
    const typing = t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA');
    if (e.key === '/' && !typing && !$('desk').hidden && !document.querySelector('dialog[open]')) {
      e.preventDefault();
      $('search').focus();
    }
  });
  setInterval(() => {
    if (!$('desk').hidden) {
      renderUpdated();
      if (state.snapshot.problem) renderBanners();
    }
  }, 1000);
}
