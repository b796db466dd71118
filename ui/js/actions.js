// @ts-check
// What a person does to machines from this screen: the action buttons, the confirmation
// where an action cannot be undone or loses work, the action itself (one machine or many),
// and Create. A clicked row shows its progress at once and keeps its buttons off until
// the Rust side's snapshot shows what became of it.
import { call } from './ipc.js';
import { h } from './dom.js';
import { plural } from './format.js';
import { toast } from './feedback.js';
import { confirm, showResults, openCreate } from './dialogs.js';
import { state, byId, queueRender, renderNow, clearFilters } from './screen.js';

/** @typedef {import('./screen.js').Row} Row */
/** @typedef {import('./ipc.js').Failure} Failure */

/** What each action is called, on buttons and in confirmations. */
const ACTIONS = /** @type {const} */ ([
  { key: 'start', label: 'Start', icon: '▶', progress: 'Starting…' },
  { key: 'stop', label: 'Shut down', icon: '■', progress: 'Stopping…' },
  { key: 'restart', label: 'Restart', icon: '↻', progress: 'Restarting…' },
  { key: 'reset', label: 'Force reset', icon: '⚡', progress: 'Resetting…' },
  { key: 'delete', label: 'Delete', icon: '✕', progress: 'Deleting…' },
]);

/**
 * A machine's action buttons. In the details panel they say their words; in a row, their
 * symbols, with the word beside each where the table is wide enough (style.css) and as a
 * tooltip on hover and keyboard focus where it is not.
 * @param {Row} r
 */
export function actionButtons(r, withWords = false) {
  const busy = state.optimistic.has(r.id);
  return ACTIONS.map((a) => h('button', {
    type: 'button',
    class: a.key === 'delete' ? 'danger' : undefined,
    'aria-label': withWords ? a.label : `${a.label} ${r.name}`,
    'data-tip': withWords ? undefined : a.label,
    disabled: busy || !r.can[a.key],
    'data-action': a.key,
    onclick: (/** @type {Event} */ e) => { e.stopPropagation(); act([r.id], a.key); },
  }, withWords
    ? [h('span', { 'aria-hidden': 'true', text: a.icon + ' ' }), a.label]
    : [h('span', { 'aria-hidden': 'true', text: a.icon }), h('span', { class: 'word', 'aria-hidden': 'true', text: a.label })]));
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
export async function act(ids, action) {
  const rows = /** @type {Row[]} */ (ids.map(byId).filter((r) => r && r.can[action]));
  const meta = /** @type {any} */ (ACTIONS.find((a) => a.key === action));
  if (rows.length === 0) {
    toast(`None of the selected machines can ${meta.label.toLowerCase()} right now.`);
    return;
  }
  if (!(await confirmAction(action, rows))) return;
  for (const r of rows) state.optimistic.set(r.id, { label: meta.progress, untilSeq: Infinity });
  renderNow(); // within this frame
  let results;
  try {
    // Every chosen machine goes: the Rust side skips (and records as skipped) those that
    // cannot do it, deciding from the same list.
    results = await call('act', { ids, action });
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
  if (ids.length > 1) {
    const okCount = results.filter((/** @type {any} */ r) => r.ok).length;
    const title = `${meta.label}: ${okCount} of ${plural(results.length, 'machine')} done`;
    showResults(title, results);
    state.selected.clear();
  }
}

export async function create() {
  const row = await openCreate();
  if (row) {
    toast(`Creating ${row.name}. It will be ready in a minute or two.`);
    clearFilters();
    state.detail = row.id;
    queueRender();
  }
}

/** Forgets the in-progress marks that the current snapshot has caught up with. */
export function settleOptimistic() {
  for (const [id, mark] of state.optimistic) {
    if (mark.untilSeq <= state.snapshot.seq) state.optimistic.delete(id);
  }
}

