// @ts-check
// "Name and note": what a person calls a machine (ThreatWinds names it after its id), the
// groups it is in and whether it is a favourite, kept on this computer for the account on
// screen. The rows, the details, the confirmations, the notifications and the history show
// the name first, the service's beside it; a search finds either. Loaded the first time
// it is opened.
import { call } from './ipc.js';
import { h, $ } from './dom.js';
import { showFailure, toast } from './feedback.js';
import { t } from './i18n.js';
import { groupsShown } from './groups.js';

/** @typedef {import('./screen.js').Row} Row */

/** The dialog for machine `r`, with what it is called now. @param {Row} r */
export function open(r) {
  const dialog = /** @type {HTMLDialogElement} */ ($('name-dialog'));
  const name = /** @type {HTMLInputElement} */ ($('name-given'));
  const note = /** @type {HTMLInputElement} */ ($('name-note'));
  const groups = /** @type {HTMLInputElement} */ ($('name-groups'));
  const favourite = /** @type {HTMLInputElement} */ ($('name-favourite'));
  const save = /** @type {HTMLButtonElement} */ ($('name-save'));
  const error = $('name-error');
  showFailure(error, null);
  $('name-for').textContent = t('names.for', { name: r.name, id: r.id });
  name.value = r.given || '';
  note.value = r.note || '';
  groups.value = (r.groups || []).join(', ');
  favourite.checked = !!r.favourite;
  // The groups already made, offered as one is typed.
  $('name-groups-known').replaceChildren(...groupsShown().map((g) => h('option', { value: g.name })));
  $('name-cancel').onclick = () => dialog.close();
  $('name-form').onsubmit = async (/** @type {Event} */ e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      const change = { name: name.value, note: note.value, groups: groups.value.split(','), favourite: favourite.checked };
      await call('set_name', { machine: r.id, change });
      dialog.close();
      toast(name.value.trim() ? t('names.saved', { given: name.value.trim(), name: r.name }) : t('names.cleared', { name: r.name }));
    } catch (failure) {
      // Said in the dialog; what was typed stays, to be corrected.
      showFailure(error, /** @type {any} */ (failure));
    } finally {
      save.disabled = false;
    }
  };
  dialog.showModal();
  name.focus();
  name.select();
}
