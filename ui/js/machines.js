// @ts-check
// The machines screen: puts together the table (table.js), the details (details.js) and
// the actions (actions.js) with search, the state filter, sorting, selection, the bulk
// bar and the banners, and takes the snapshots the Rust side pushes.
import { call, listFromCall } from './ipc.js';
import { applyDelta } from './delta.js';
import { h, $, morph, afterPaint } from './dom.js';
import { ago, count, inSeconds } from './format.js';
import { failureContent, failureText } from './feedback.js';
import { t, tx } from './i18n.js';
import { state, onRender, queueRender, byId, clearFilters } from './screen.js';
import { recompute, renderRows, tableResized } from './table.js';
import { renderDetail } from './details.js';
import { act, actionWord, create, settleOptimistic, stopRun } from './actions.js';
import { closeAll } from './dialogs.js';
import * as keys from './keys.js';
import * as tips from './tip.js';
import * as schedules from './schedules.js';
import * as groups from './groups.js';

/** @typedef {import('./screen.js').Row} Row */
/** @typedef {import('./ipc.js').Failure} Failure */

function renderEmpty() {
  const empty = $('empty');
  const snap = state.snapshot;
  if (!snap.loaded) {
    // The banner above says why nothing has come yet; this says what will happen.
    empty.hidden = false;
    empty.replaceChildren(h('p', {}, [
      h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      ' ' + (snap.problem ? t('list.waiting') : t('list.loading')),
    ]));
  } else if (snap.machines.length === 0) {
    empty.hidden = false;
    empty.replaceChildren(
      h('h2', { text: t('list.none_title') }),
      h('p', { text: t('list.none_text') }),
      h('button', { type: 'button', class: 'primary', text: t('list.create_first'), onclick: create }),
    );
  } else if (state.shown.length === 0) {
    empty.hidden = false;
    empty.replaceChildren(
      h('h2', { text: t('list.no_match') }),
      h('p', { text: state.search ? t(state.filter ? 'list.no_name_in_state' : 'list.no_name', { search: state.search }) : state.filter ? t('list.no_state') : t('groups.none_shown') }),
      h('button', { type: 'button', text: t('list.show_all'), onclick: clearFilters }),
    );
  } else {
    empty.hidden = true;
  }
  $('table').hidden = snap.loaded && state.shown.length === 0 || (!snap.loaded);
}

function renderToolbar() {
  const held = state.snapshot.machines.length;
  // A long list's first screen says how many there are in all; the rest is on its way.
  const total = state.snapshot.firstOf ?? held;
  $('search-clear').hidden = !state.search;
  $('count').textContent = state.snapshot.loaded
    ? (state.shown.length === held ? count(total, 'machines') : t('list.some_of', { shown: state.shown.length, all: count(total, 'machines') }))
    : '';
  for (const th of document.querySelectorAll('th[data-sort]')) {
    const col = th.getAttribute('data-sort');
    if (col === state.sort.column) th.setAttribute('aria-sort', state.sort.descending ? 'descending' : 'ascending');
    else th.removeAttribute('aria-sort');
  }
  const n = state.selected.size;
  $('bulkbar').hidden = n === 0;
  $('bulk-count').textContent = t('bulk.count', { n });
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

/**
 * The bulk actions still sending, one line each with "Stop the rest". A line is kept and
 * only its words change as the count goes down, so its button keeps the keyboard focus
 * and a click on it is never lost to a rebuilt node.
 */
function renderSending() {
  const box = $('sending');
  const bulks = /** @type {{id: number, action: string, total: number, left: number}[]} */ (state.snapshot.bulks || []);
  box.hidden = bulks.length === 0;
  const known = new Map([...box.children].map((el) => [/** @type {HTMLElement} */ (el).dataset.run, el]));
  const lines = bulks.map((b) => {
    let line = known.get(String(b.id));
    if (!line) {
      line = h('div', { class: 'sending-line', 'data-run': String(b.id), role: 'status' }, [
        h('span', { class: 'sending-text' }),
        h('button', { type: 'button', text: t('sending.stop'), onclick: () => stopRun(b.id) }),
      ]);
    }
    const words = t('sending.left', { action: actionWord(b.action), all: count(b.total, 'machines'), left: b.left });
    const text = /** @type {HTMLElement} */ (line.firstChild);
    if (text.textContent !== words) text.textContent = words;
    return line;
  });
  if (lines.length !== box.children.length || lines.some((line, i) => box.children[i] !== line)) box.replaceChildren(...lines);
}

/** Whole seconds the service asked to wait for (a 429), 0 when none is left. */
function slowedFor() {
  const until = state.snapshot.slowedUntil;
  return until ? Math.max(0, Math.ceil((until - Date.now()) / 1000)) : 0;
}

function renderBanners() {
  const snap = state.snapshot;
  const banners = [];
  for (const text of state.extraBanners) banners.push(h('div', { class: 'banner warn', role: 'status' }, [h('p', { text: tx(text) })]));
  if (snap.problem) {
    const f = /** @type {Failure} */ (snap.problem);
    const when = snap.retryAt ? inSeconds(Math.max(1, Math.round((snap.retryAt - Date.now()) / 1000))) : t('time.shortly');
    let text;
    if (snap.offline) {
      text = snap.updatedAt
        ? t('banner.offline_since', { ago: ago(Date.now() - snap.updatedAt), when })
        : t('banner.offline', { when });
    } else if (f.kind === 'rate_limited') {
      text = t('banner.rate_limited', { when });
    } else if (f.kind === 'auth') {
      text = failureText(f);
    } else {
      text = t('banner.trying_again', { failure: failureText(f), when });
    }
    const body = failureContent({ ...f, sentence: text });
    // Announced when it appears or its kind changes; the countdown ticking in its words is
    // not read out again each second ("additions" only).
    banners.push(h('div', { class: `banner ${snap.offline || f.kind === 'rate_limited' ? 'warn' : 'error'}`, role: 'alert', 'aria-relevant': 'additions', id: 'list-problem' }, [h('div', {}, body)]));
  } else if (slowedFor() > 0) {
    // A 429 to anything else (a machine read alone, an action): said too, with its wait.
    const when = inSeconds(slowedFor());
    banners.push(h('div', { class: 'banner warn', role: 'alert', 'aria-relevant': 'additions', id: 'slowed' }, [h('p', { text: t('banner.slowed', { when }) })]));
  }
  // Updated in place: the banner's nodes are kept while its kind stays, so its "Copy
  // support code" keeps the focus and a click on it is never lost to a rebuilt node.
  morph($('banners'), banners);
}


export function render() {
  // Before the rows: a group no machine is in any more is no longer chosen.
  groups.renderGroupChoice();
  recompute();
  renderEmpty();
  // Before the rows: the panel takes room from the table, which decides its columns.
  renderDetail();
  renderRows();
  renderToolbar();
  renderSending();
  renderBanners();
  renderUpdated();
}

function renderUpdated() {
  const snap = state.snapshot;
  // An account switched back to shows its list as last seen at once, marked as such
  // (dimmed, its buttons off) until the read answers.
  const key = snap.unread ? 'top.unread' : 'top.updated';
  // Under a minute in steps of 10 s ("just now", "10 s ago", …): the line is read at a
  // glance, and words that change each second would lay out and paint the window each
  // second of an idle minute. Written only when the words change.
  const since = snap.updatedAt ? Date.now() - snap.updatedAt : 0;
  const words = snap.updatedAt ? t(key, { ago: ago(since < 60_000 ? since - (since % 10_000) : since) }) : '';
  const el = $('updated');
  if (el.textContent !== words) el.textContent = words;
  $('table').classList.toggle('unread', !!snap.unread);
}

onRender(render);

let firstListMarked = false;
let wholeListMarked = false;

/**
 * A whole list the page asked for (a call's answer). An older one than the page
 * has (a call's answer overtaken by the news) is dropped: the newer one always wins. (One
 * with the same `seq` is not: what time alone changes, such as a shutdown that is taking
 * too long, is sent again without a new `seq`.)
 * @param {any} snapshot
 */
export function update(snapshot) {
  listFromCall();
  take(snapshot);
}

/**
 * A list from the news: whole, or what changed since the list the page holds (`held`, the
 * number of the news it came with). False when it was not taken: older than what the page
 * shows, or about a list the page no longer holds (it is then asked for whole).
 * @param {any} list @param {number|null} held
 */
export function fromNews(list, held) {
  const snapshot = list.base === undefined ? list : applyDelta(state.snapshot, held, list);
  return snapshot ? take(snapshot) : false;
}

/** @param {any} snapshot */
function take(snapshot) {
  if (snapshot.seq < state.snapshot.seq) return false;
  if (state.snapshot.owner !== undefined && snapshot.owner !== state.snapshot.owner) {
    // Another sign-in's list, come before the switch's own answer: nothing the page held
    // for the list before (a confirmation, a selection, a row's error) stays over it.
    closeAll();
    forgetHeld();
  }
  state.snapshot = snapshot;
  settleOptimistic();
  calmManySpinners(snapshot.machines);
  if (snapshot.loaded && !firstListMarked) {
    // User Timing marks, read by the desktop benchmark: the first list received, and
    // painted (the frame after it was rendered); a long list's first screen is that list.
    firstListMarked = true;
    performance.mark('first-list-received');
    afterPaint().then(() => {
      performance.mark('first-list-painted');
      // A line in the app's log: the machines screen appeared, with this many rows drawn.
      const rows = document.querySelectorAll('#desk tr.machine').length;
      call('list_painted', { rows, machines: snapshot.firstOf ?? snapshot.machines.length }).catch(() => {});
    });
  }
  if (snapshot.loaded && snapshot.firstOf === undefined && !wholeListMarked) {
    // And the first whole list: received, and painted (the benchmark's "received → painted").
    wholeListMarked = true;
    performance.mark('whole-list-received');
    afterPaint().then(() => performance.mark('whole-list-painted'));
  }
  queueRender();
  return true;
}

/**
 * Rows that wait for their machine turn a spinner while a few do; past that many, the
 * spinners stand still (the bulk's line says it goes on): the window is drawn without the
 * GPU, and every turning spinner redraws it (the desktop benchmark's 100 moving).
 */
const SPINNING_AT_MOST = 5;

/** @param {Row[]} rows */
function calmManySpinners(rows) {
  let busy = 0;
  for (const r of rows) if (r.pending && ++busy > SPINNING_AT_MOST) break;
  $('table').classList.toggle('calm', busy > SPINNING_AT_MOST);
}

/** Forgets what this screen showed (sign-out). */
export function reset() {
  // Sign-out: the Rust side's count goes on, so what it sends next is newer still.
  state.snapshot = { seq: state.snapshot.seq, owner: state.snapshot.owner, loaded: false, machines: [] };
  listFromCall();
  forgetHeld();
  clearFilters();
}

/** Forgets what the page held for the list on screen: its selection, details, marks. */
function forgetHeld() {
  state.errorHeights.clear();
  state.selected.clear();
  state.detail = null;
  state.optimistic.clear();
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
  $('group-filter').addEventListener('change', (/** @type {Event} */ e) => {
    groups.choose(/** @type {HTMLSelectElement} */ (e.target).value);
    $('scroller').scrollTop = 0;
    render();
  });
  for (const b of document.querySelectorAll('[data-group-bulk]')) {
    // The whole group, whatever the search and the state filter show: named, counted and
    // the account said in the confirmation.
    b.addEventListener('click', () => act(groups.machinesOfChosenGroup(), /** @type {string} */ (/** @type {HTMLElement} */ (b).dataset.groupBulk), groups.chosenGroup()));
  }
  $('group-watch').addEventListener('click', () => {
    const group = groups.chosenGroup();
    if (group !== null) schedules.setGroupWatching(group, $('group-watch').getAttribute('aria-pressed') !== 'true');
  });
  $('group-schedule').addEventListener('click', () => {
    const group = groups.chosenGroup();
    if (group !== null) schedules.open(groups.machinesOfChosenGroup(), undefined, group);
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
  $('bulk-schedule').addEventListener('click', () => schedules.open([...state.selected]));
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
  window.addEventListener('resize', () => { tableResized(); queueRender(); });
  keys.setup();
  tips.setup();
  setInterval(() => {
    if (!$('desk').hidden) {
      renderUpdated();
      if (state.snapshot.problem || state.snapshot.slowedUntil || document.getElementById('slowed')) renderBanners();
    }
  }, 1000);
}
