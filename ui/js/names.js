// @ts-check
// "Name and note": what a person calls a machine (ThreatWinds names it after its id), kept
// on this computer for the account on screen. The rows, the details, the confirmations,
// the notifications and the history show it first, the service's name beside it; a search
// finds either. Loaded the first time it is opened.
import { call } from './ipc.js';
import { $ } from './dom.js';
import { showFailure, toast } from './feedback.js';
import { t } from './i18n.js';

/** @typedef {import('./screen.js').Row} Row */

/** The dialog for machine `r`, with what it is called now. @param {Row} r */
export function open(r) {
  const dialog = /** @type {HTMLDialogElement} */ ($('name-dialog'));
  const name = /** @type {HTMLInputElement} */ ($('name-given'));
  const note = /** @type {HTMLInputElement} */ ($('name-note'));
  const save = /** @type {HTMLButtonElement} */ ($('name-save'));
  const error = $('name-error');
  showFailure(error, null);
  $('name-for').textContent = t('names.for', { name: r.name, id: r.id });
  name.value = r.given || '';
  note.value = r.note || '';
  $('name-cancel').onclick = () => dialog.close();
  $('name-form').onsubmit = async (/** @type {Event} */ e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      await call('set_name', { machine: r.id, name: name.value, note: note.value });
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
