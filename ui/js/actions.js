// @ts-check
// What a person does to machines from this screen: the action buttons, the confirmation
// where an action cannot be undone or loses work, the action itself (one machine or many),
// and Create. A clicked row shows its progress at once and keeps its buttons off until
// the Rust side's snapshot shows it marked; from there each row follows the snapshots
// ("Waiting…", "Stopping…", its error) as each machine's request goes out in
// turn. A bulk's results are shown once the Rust side has sent all it will.
import { call } from './ipc.js';
import { h } from './dom.js';
import { count } from './format.js';
import { t } from './i18n.js';
import { toast, failureText } from './feedback.js';
// The dialogs (confirmations, Create, results) are loaded the first time one is needed:
// an idle screen does without their code.
const dialogs = () => import('./dialogs.js');
import { state, byId, queueRender, renderNow, clearFilters, shownName } from './screen.js';
import { onScreenKey } from './accounts.js';

/** @typedef {import('./screen.js').Row} Row */
/** @typedef {import('./ipc.js').Failure} Failure */

/** The actions, in the order of their buttons, with their symbols. */
const ACTIONS = /** @type {const} */ ([
  { key: 'start', icon: '▶' },
  { key: 'stop', icon: '■' },
  { key: 'restart', icon: '↻' },
  { key: 'reset', icon: '⚡' },
  { key: 'delete', icon: '✕' },
]);

/** What an action is called ("Shut down", "Apagar"). @param {string} key */
export function actionWord(key) {
  return t(`action.${key}`);
}

/**
 * A machine's action buttons. In the details panel they say their words; in a row, their
 * symbols, with the word beside each where the table is wide enough (style.css) and as a
 * tooltip on hover and keyboard focus where it is not.
 * @param {Row} r
 */
export function actionButtons(r, withWords = false) {
  const busy = state.optimistic.has(r.id);
  return ACTIONS.map((a) => ({ ...a, label: actionWord(a.key) })).map((a) => h('button', {
    type: 'button',
    class: a.key === 'delete' ? 'danger' : undefined,
    'aria-label': withWords ? a.label : t('action.on', { action: a.label, name: shownName(r) }),
    'data-tip': withWords ? undefined : a.label,
    disabled: busy || !r.can[a.key],
    'data-action': a.key,
    onclick: (/** @type {Event} */ e) => { e.stopPropagation(); act([r.id], a.key); },
  }, withWords
    ? [h('span', { 'aria-hidden': 'true', text: a.icon + ' ' }), a.label]
    : [h('span', { 'aria-hidden': 'true', text: a.icon }), h('span', { class: 'word', 'aria-hidden': 'true', text: a.label })]));
}

/**
 * What a bulk of `n` machines for `action` meets under the account's limits, in a sentence;
 * '' when nothing would wait (or the app could not tell).
 * @param {string} action @param {number} n
 */
async function pacedLine(action, n) {
  if (n < 2) return '';
  try {
    const p = await call('pacing', { action, count: n });
    if (!p.seconds) return '';
    return t('confirm.paced', { now: p.now, rest: n - p.now, perMinute: p.perMinute, minutes: Math.ceil(p.seconds / 60) });
  } catch {
    return '';
  }
}

/**
 * Asks where the action cannot be undone or loses work (and before any action on a whole
 * group, which it names); true to go ahead.
 * @param {string} action @param {Row[]} rows @param {string|null} group
 */
async function confirmAction(action, rows, group) {
  // One machine is named as a person knows it, the service's name beside.
  const one = rows.length === 1 && group === null ? shownName(rows[0]) : null;
  // Deleting one asks for the name it is shown by: the given one, where there is one.
  const typed = rows.length === 1 ? rows[0].given || rows[0].name : String(rows.length);
  const many = count(rows.length, 'machines');
  const what = group !== null ? t('groups.what', { group, what: many }) : one || many;
  // One machine or several: their own sentences, since both languages say them otherwise.
  const n = one ? 'one' : 'many';
  const { confirm } = await dialogs();
  // A bulk the account's limits will pace says what goes now and how long the rest takes.
  const paced = await pacedLine(action, rows.length);
  const and = (/** @type {string} */ text) => [text, paced].filter(Boolean).join(' ');
  switch (action) {
    case 'start':
      return (!paced && group === null) || confirm({ title: t('confirm.start.title', { what }), text: paced || t('groups.start_text'), ok: actionWord('start') });
    case 'stop':
      return confirm({ title: t('confirm.stop.title', { what }), text: and(t(`confirm.stop.text_${n}`)), ok: actionWord('stop') });
    case 'restart':
      return confirm({ title: t('confirm.restart.title', { what }), text: and(t(`confirm.restart.text_${n}`)), ok: actionWord('restart') });
    case 'reset':
      return confirm({ title: t('confirm.reset.title', { what }), text: and(t('confirm.reset.text')), ok: actionWord('reset'), danger: true });
    case 'delete':
      return confirm({
        title: t('confirm.delete.title', { what }),
        text: and(t(`confirm.delete.text_${n}`)),
        ok: t(`confirm.delete.ok_${n}`), danger: true,
        typed,
        typedLabel: t('confirm.delete.type', { typed }),
      });
    default:
      return true;
  }
}

/**
 * @param {string[]} ids @param {string} action
 * @param {string|null} [group] the group these are, said in the confirmation
 */
export async function act(ids, action, group = null) {
  const rows = /** @type {Row[]} */ (ids.map(byId).filter((r) => r && r.can[action]));
  if (rows.length === 0) {
    toast(t(`action.none_can.${action}`));
    return;
  }
  if (!(await confirmAction(action, rows, group))) return;
  // The account the run belongs to: its results are shown only while it is on screen.
  const owner = onScreenKey();
  // What it does ("Stopping…"); the snapshot says "Waiting…" instead for a machine
  // whose turn under the rate budget is not now.
  const progress = t(`progress.${action}`);
  for (const r of rows) state.optimistic.set(r.id, { label: progress, untilSeq: Infinity });
  renderNow(); // within this frame
  let planned;
  try {
    // Every chosen machine goes: the Rust side skips (and records as skipped) those that
    // cannot do it, deciding from the same list. It answers once the rows are marked.
    planned = await call('act', { ids, action });
  } catch (e) {
    for (const r of rows) state.optimistic.delete(r.id);
    queueRender();
    const f = /** @type {Failure} */ (e);
    (await dialogs()).showResults(t('results.none', { action: actionWord(action) }), rows.map((r) => ({ name: shownName(r), ok: false, skipped: false, error: f })));
    return;
  }
  // Each row stays in progress until a snapshot shows it marked; from then on it follows them.
  for (const r of rows) state.optimistic.set(r.id, { label: progress, untilSeq: planned.seq });
  for (const skipped of planned.skipped) state.optimistic.delete(skipped.id);
  settleOptimistic();
  if (ids.length > 1 && group === null) state.selected.clear();
  queueRender();
  if (ids.length > 1) {
    const results = await call('run_results', { run: planned.run });
    // Another account is on screen now (a switch ended the run): the results are that
    // run's account's, kept in its history, and never shown over another's machines.
    if (!results || onScreenKey() !== owner || document.getElementById('desk')?.hidden) return;
    const okCount = results.filter((/** @type {any} */ r) => r.ok).length;
    const title = t('results.title', { action: actionWord(action), done: okCount, all: count(results.length, 'machines') });
    (await dialogs()).showResults(title, results);
  }
}

/** "Stop the rest": what the run has not sent yet is not sent. @param {number} run */
export async function stopRun(run) {
  try {
    await call('stop_run', { run });
  } catch (e) {
    toast(failureText(/** @type {Failure} */ (e)));
  }
}

export async function create() {
  const row = await (await dialogs()).openCreate();
  if (row) {
    toast(t('create.creating_toast', { name: row.name }));
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

