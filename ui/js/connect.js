// @ts-check
// "Connect…": a running machine's address, opened with this computer's own programs:
// Remote Desktop (an .rdp file for the machine, opened by Windows's client, or Remmina or
// FreeRDP on Linux) or SSH (the terminal running `ssh` to the address). The way a person
// will want comes first (a Windows template → Remote Desktop; then their last choice); a
// way this computer has no program for says what to install. The user name is remembered
// per machine. Loaded the first time it is opened.
import { call } from './ipc.js';
import { h, $ } from './dom.js';
import { copy, showFailure, toast } from './feedback.js';
import { t, tx } from './i18n.js';

/** @typedef {import('./screen.js').Row} Row */
/** @typedef {{way: 'remoteDesktop'|'ssh', program: string|null, missing: any}} WayView */
/** @typedef {{machine: string, name: string, address: string, user: string, ways: WayView[]}} ConnectView */

/** `user@address` as `ssh` takes it. @param {string} user @param {string} address */
const destination = (user, address) => (user.trim() ? `${user.trim()}@${address}` : address);

/** The dialog for machine `r`: what this computer offers to connect to it. @param {Row} r */
export async function open(r) {
  const dialog = /** @type {HTMLDialogElement} */ ($('connect'));
  const user = /** @type {HTMLInputElement} */ ($('connect-user'));
  const error = $('connect-error');
  /** @type {ConnectView} */
  let view;
  try {
    view = await call('connect_options', { machine: r.id });
  } catch (failure) {
    toast(t('connect.cannot', { name: r.given || r.name }) + ' ' + tx(/** @type {any} */ (failure).text));
    return;
  }
  showFailure(error, null);
  $('connect-title').textContent = t('connect.title', { name: view.name });
  $('connect-address').textContent = t('connect.address', { address: view.address });
  user.value = view.user;
  /** @type {Record<string, HTMLElement>} */
  const says = {};
  /** What each way says: its program and, for SSH, the command line as typed so far. */
  const tell = () => {
    for (const w of view.ways) {
      if (!w.program) continue;
      says[w.way].textContent = w.way === 'ssh'
        ? t('connect.ssh_with', { program: w.program, command: `ssh ${destination(user.value, view.address)}` })
        : t('connect.rdp_with', { program: w.program });
    }
  };
  /** @param {WayView} w */
  const go = async (w) => {
    showFailure(error, null);
    try {
      const program = await call('connect', { machine: view.machine, way: w.way, user: user.value });
      dialog.close();
      toast(t(`connect.opened.${w.way}`, { program, name: view.name }));
    } catch (failure) {
      // Said in the dialog; the user name typed stays, to be corrected.
      showFailure(error, /** @type {any} */ (failure));
    }
  };
  $('connect-ways').replaceChildren(...view.ways.map((w, i) => {
    const id = `connect-says-${w.way}`;
    says[w.way] = h('p', { id, class: w.program ? 'hint' : 'hint missing', text: w.program ? '' : tx(w.missing) });
    return h('div', { class: 'connect-way' }, [
      h('button', {
        type: 'button', class: i === 0 && w.program ? 'primary' : undefined, disabled: !w.program,
        'aria-describedby': id, 'data-way': w.way, text: t(`connect.way.${w.way}`), onclick: () => go(w),
      }),
      says[w.way],
    ]);
  }));
  tell();
  user.oninput = tell;
  $('connect-copy').onclick = () => copy(view.address, t('connect.address_copied'));
  $('connect-close').onclick = () => dialog.close();
  // Enter in the user name: the first way this computer can do.
  $('connect-form').onsubmit = (/** @type {Event} */ e) => {
    e.preventDefault();
    const first = view.ways.find((w) => w.program);
    if (first) go(first);
  };
  dialog.showModal();
  user.focus();
}
