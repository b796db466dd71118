// @ts-check
// The machines screen's keyboard: ↑ ↓ Home End move between machines, Enter opens one (its
// name is a button), Esc closes the details, Delete asks to delete the selected machines
// or the one in focus, Ctrl+N creates, F5 refreshes the list (never reloads the page), /
// searches and ? lists all of this.
import { call } from './ipc.js';
import { $ } from './dom.js';
import { state, queueRender } from './screen.js';
import { focusRow, focusName } from './table.js';
import { act, create } from './actions.js';

/** Opens the "Keyboard shortcuts" list. */
export function showShortcuts() {
  const dialog = /** @type {HTMLDialogElement} */ ($('shortcuts'));
  if (!dialog.open) dialog.showModal();
  $('shortcuts-close').focus();
}

/** Inputs that take no typed text: a key pressed on one is a shortcut, as on a row. */
const NOT_TYPED = new Set(['checkbox', 'radio', 'button', 'submit', 'reset']);

/** Whether keys pressed on `t` are text being typed (a search field, not a checkbox). @param {EventTarget|null} t */
export function typing(t) {
  if (!(t instanceof HTMLElement)) return false;
  if (t.tagName === 'INPUT') return !NOT_TYPED.has(/** @type {HTMLInputElement} */ (t).type);
  return t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.isContentEditable;
}

/** The machine whose row has keyboard focus, if any. */
function focusedMachine() {
  const active = document.activeElement;
  const tr = active && active.closest ? active.closest('tr.machine') : null;
  return tr ? tr.getAttribute('data-id') : null;
}

/** @param {KeyboardEvent} e */
function onKey(e) {
  // F5 would reload the page and lose what is typed in it, on any screen.
  if (e.key === 'F5') e.preventDefault();
  if ($('desk').hidden || document.querySelector('dialog[open]') || e.altKey || e.metaKey) return;
  const inField = typing(e.target);
  const inList = $('scroller').contains(/** @type {Node} */ (e.target));
  const key = e.ctrlKey ? `Ctrl+${e.key.toLowerCase()}` : e.key;
  switch (key) {
    case 'F5':
      call('refresh').catch(() => {});
      return;
    case 'Ctrl+n':
      e.preventDefault();
      create();
      return;
    case 'ArrowDown':
    case 'ArrowUp':
      // From the search field, ↓ goes into the list.
      if (inField && !(key === 'ArrowDown' && e.target === $('search'))) return;
      if (!inField && !inList && document.activeElement !== document.body) return;
      e.preventDefault();
      focusRow(key === 'ArrowDown' ? 1 : -1);
      return;
    case 'Home':
    case 'End':
      if (!inList) return;
      e.preventDefault();
      focusRow(key === 'End' ? Infinity : -Infinity);
      return;
    case 'Delete': {
      if (inField) return;
      const ids = state.selected.size ? [...state.selected] : [focusedMachine()].filter((id) => id !== null);
      if (!ids.length) return;
      e.preventDefault();
      act(/** @type {string[]} */ (ids), 'delete');
      return;
    }
    case 'Escape':
      if (inField || !state.detail) return;
      e.preventDefault();
      {
        const id = state.detail;
        state.detail = null;
        queueRender();
        // Back to the machine's row, where the details were opened from.
        requestAnimationFrame(() => focusName(id));
      }
      return;
    case '/':
      if (inField) return;
      e.preventDefault();
      $('search').focus();
      return;
    case '?':
      if (inField) return;
      e.preventDefault();
      showShortcuts();
      return;
    default:
  }
}

export function setup() {
  document.addEventListener('keydown', onKey);
}
