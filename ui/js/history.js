// @ts-check
// The History panel: what the app did for the signed-in account, newest first, with who,
// when and how it ended (the server's words and the support code, each copyable);
// filtered by machine and by outcome. Loaded the first time it is opened; while open, it
// asks the Rust side again whenever the machines change (an answer only if it changed).
import { call } from './ipc.js';
import { h, $ } from './dom.js';
import { ago, dateTime, count, naturalCompare } from './format.js';
import { copy, failureText } from './feedback.js';
import { activeAccount } from './accounts.js';
import { t, tx } from './i18n.js';

/**
 * @typedef {{id: number, at: number, what: string, machineId: string|null, machine: string|null, template?: string, who: string, by?: string,
 *   outcome: string, settledAt: number|null, message: string|null, serverMessage: string|null, errorId: string|null}} Entry
 * @typedef {{version: number, entries: Entry[], server: string, warning: import('./i18n.js').Text|null}} HistoryView
 */

/** @type {HistoryView|null} */
let view = null;

/** The machine the panel was opened for, listed even before anything was done to it. */
/** @type {{id: string, name: string}|null} */
let wanted = null;

/** How it ended, with a sign that is not colour alone. */
const SIGN = /** @type {Record<string, string>} */ ({ done: '✓', failed: '✗', skipped: '–', waiting: '◔', queued: '◔', not_sent: '–', unknown: '?', noticed: '!' });

/** @param {string} outcome */
const outcomeWord = (outcome) => t(`outcome.${outcome}`);

/** "Shut down web-1", "Signed in". @param {Entry} e */
function title(e) {
  if (e.what === 'sign_in' || e.what === 'sign_out') return t(`history.${e.what}`);
  if (e.what === 'watch') return t('history.watch_title', { name: e.machine || e.machineId || '' });
  if (e.what === 'create') {
    if (e.machine) return t('history.create_named', { name: e.machine });
    return e.template ? t('history.create_from', { template: e.template }) : t('history.create');
  }
  return e.machine ? t('action.on', { action: t(`action.${e.what}`), name: e.machine }) : t(`action.${e.what}`);
}

/** What was said of how it ended, in the person's language. @param {Entry} e */
function said(e) {
  return e.message || e.text ? failureText(/** @type {any} */ (e)) : '';
}

/**
 * Everything the helpdesk needs about one entry, in one paste.
 * @param {Entry} e @param {string} server
 */
export function entryText(e, server) {
  const words = said(e);
  return [
    `Compute Desk: ${title(e)}`,
    `${t('history.when')}: ${dateTime(e.at)} (${new Date(e.at).toISOString()})`,
    `${t('history.outcome')}: ${outcomeWord(e.outcome)}${words ? `: ${words}` : ''}`,
    e.machineId ? `${t('history.machine')}: ${e.machine || ''} (${e.machineId})` : null,
    `${t('history.who')}: ${e.who || t('top.unnamed')}${e.by === 'schedule' ? ` (${t('history.by_schedule')})` : ''}`,
    `${t('history.server')}: ${server}`,
    e.errorId ? `${t('support.code')} ${e.errorId}` : null,
    e.serverMessage ? t('support.server_said', { words: e.serverMessage }) : null,
  ].filter(Boolean).join('\n');
}

/** @param {Entry} e @param {string} server */
function entryElement(e, server) {
  const sign = SIGN[e.outcome] || '?';
  const outcome = outcomeWord(e.outcome);
  const words = said(e);
  const support = [];
  if (e.errorId) support.push(h('span', { text: t('support.code') }), h('code', { text: e.errorId }));
  if (e.serverMessage) support.push(h('span', { class: 'server', translate: 'no', text: t('support.server_said', { words: e.serverMessage }) }));
  return h('li', { class: `entry ${e.outcome}`, 'data-id': String(e.id) }, [
    h('div', { class: 'what' }, [h('span', { class: `outcome ${e.outcome}` }, [h('span', { 'aria-hidden': 'true', text: sign }), outcome]), title(e)]),
    h('p', { class: 'when muted', text: `${dateTime(e.at)} · ${ago(Date.now() - e.at)} · ${e.who || t('top.unnamed')}${e.by === 'schedule' ? ` · ${t('history.by_schedule')}` : ''}` }),
    words ? h('p', { class: 'message', text: words }) : null,
    support.length ? h('div', { class: 'support' }, support) : null,
    h('button', {
      type: 'button', class: 'copy-entry', text: t('row.copy'),
      'aria-label': t('history.copy_label', { what: title(e), when: dateTime(e.at) }),
      onclick: () => copy(entryText(e, server), t('history.copied')),
    }),
  ]);
}

/**
 * Draws the panel from `view` and the filters; `choose` picks the machine filter (an id,
 * or '' for all) instead of keeping the one chosen.
 * @param {string} [choose]
 */
function render(choose) {
  if (!view) return;
  const machineSelect = /** @type {HTMLSelectElement} */ ($('history-machine'));
  const outcome = /** @type {HTMLSelectElement} */ ($('history-outcome')).value;
  // The machines that appear in the history, by name, each once.
  const names = new Map();
  for (const e of view.entries) if (e.machineId && !names.has(e.machineId)) names.set(e.machineId, e.machine || e.machineId);
  if (wanted && !names.has(wanted.id)) names.set(wanted.id, wanted.name);
  const chosen = choose ?? machineSelect.value;
  machineSelect.replaceChildren(
    h('option', { value: '', text: t('history.all_machines') }),
    ...[...names].sort((a, b) => naturalCompare(a[1].toLowerCase(), b[1].toLowerCase())).map(([id, name]) => h('option', { value: id, text: name })),
  );
  machineSelect.value = names.has(chosen) ? chosen : '';
  const machine = machineSelect.value;
  const shown = view.entries.filter((e) => (!machine || e.machineId === machine) && (!outcome || e.outcome === outcome));
  const server = view.server;
  $('history-list').replaceChildren(...shown.map((e) => entryElement(e, server)));
  $('history-count').textContent = shown.length === view.entries.length
    ? count(shown.length, 'entries')
    : t('list.some_of', { shown: shown.length, all: count(view.entries.length, 'entries') });
  const empty = $('history-empty');
  empty.hidden = shown.length > 0;
  empty.textContent = machine && !outcome && wanted && machine === wanted.id
    ? t('history.nothing_for', { name: wanted.name })
    : view.entries.length ? t('history.no_match') : t('history.nothing');
  $('history-list').hidden = shown.length === 0;
  const warning = $('history-warning');
  warning.hidden = !view.warning;
  warning.textContent = view.warning ? tx(view.warning) : '';
  // Whose history it is: the account's name when the person gave it one.
  const who = view.entries.length ? view.entries[0].who || t('top.unnamed') : '';
  const named = activeAccount()?.name;
  $('history-who').textContent = who ? t('history.kept', { who: named ? `${named} (${who})` : who, server }) : '';
}

async function refresh() {
  const next = await call('history', { known: view ? view.version : null });
  if (next) {
    view = next;
    render();
  }
}

let setUp = false;

/**
 * Opens the panel, on one machine's entries when `machineId` is given.
 * @param {{machineId?: string, machine?: string}} [o]
 */
export async function open(o = {}) {
  wanted = o.machineId ? { id: o.machineId, name: o.machine || o.machineId } : null;
  if (!setUp) {
    setUp = true;
    $('history-machine').addEventListener('change', () => render());
    $('history-outcome').addEventListener('change', () => render());
  }
  view = (await call('history', { known: null })) || { version: -1, entries: [], server: '', warning: null };
  /** @type {HTMLSelectElement} */ ($('history-outcome')).value = '';
  render(o.machineId || '');
  const machineSelect = $('history-machine');
  const dialog = /** @type {HTMLDialogElement} */ ($('history'));
  if (!dialog.open) dialog.showModal();
  (o.machineId ? $('history-close') : machineSelect).focus();
}

/** The machines changed: an open panel asks whether its entries did too. */
export function changed() {
  if (/** @type {HTMLDialogElement} */ ($('history')).open) refresh().catch(() => {});
}
