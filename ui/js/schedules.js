// @ts-check
// Office hours: the account's schedules as the app keeps them, in plain words ("Weekdays:
// on at 08:00, off at 19:00 (Madrid time)"), each machine's next scheduled change for its
// row, the details panel's section, and the dialog that sets one for a machine or a
// selection, by keyboard as by mouse. The app runs them, with the window open or not.
import { call } from './ipc.js';
import { h, $ } from './dom.js';
import { ago, count, dateTime } from './format.js';
import { showFailure, toast } from './feedback.js';
import { confirm } from './dialogs.js';
import { t } from './i18n.js';
import { queueRender, byId } from './screen.js';

/**
 * @typedef {{at: number, turn: 'on'|'off', time: string, day: string}} NextChange
 * @typedef {{id: string, machines: string[], group?: string, days: string[], on?: string, off?: string, zone: string, skip?: string[], next?: NextChange|null}} Schedule
 * @typedef {{schedules: Schedule[], zone: string|null, pausedUntil: number|null, lookedAt: number|null, now?: number, warning: any, watching?: boolean, keeps?: boolean}} SchedulesView
 */

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEKDAYS = DAYS.slice(0, 5);

/** @type {SchedulesView} */
let view = { schedules: [], zone: null, pausedUntil: null, lookedAt: null, warning: null };

/** The schedules of the account on screen, read again (after a sign-in, a switch, a minute). */
export async function refresh() {
  try {
    take(await call('schedules'));
  } catch (e) {
    console.error('schedules', e);
  }
}

/**
 * With the first schedule, once: schedules run only while Compute Desk runs, so starting
 * it at login (in the tray) is offered; off unless the person says so.
 */
async function offerStartAtLogin() {
  try {
    const login = await call('start_at_login');
    if (login.offered || login.on) return;
    const yes = await confirm({ title: t('login.offer_title'), text: t('login.offer_text'), ok: t('login.offer_ok'), where: '' });
    await call('set_start_at_login', { on: yes });
    if (yes) toast(t('login.on'));
  } catch (e) {
    console.error('start at login', e);
  }
}

/** What the rows show of the schedules, to know when to draw them again. */
let shown = '';

/** Read again just after the soonest change, so that rows move on to the next one. */
let again = 0;

/** @param {SchedulesView} v */
function take(v) {
  view = v;
  shown = JSON.stringify([v.schedules.map((s) => [s.machines, s.next]), v.pausedUntil, v.watchGroups]);
  clearTimeout(again);
  const soonest = Math.min(...v.schedules.map((s) => (s.next ? s.next.at : Infinity)));
  // On the app's clock, which a test may have set ahead of the page's.
  if (Number.isFinite(soonest)) again = setTimeout(refresh, Math.min(Math.max(soonest - (v.now || Date.now()) + 2_000, 1_000), 60_000));
  drawSwitches();
  queueRender();
}

/** Whether group `group` is watched as one (its letters' case aside). @param {string} group */
export function groupWatched(group) {
  const k = group.toLowerCase();
  return !!view.watching || (view.watchGroups || []).some((/** @type {string} */ g) => g.toLowerCase() === k);
}

/** Watches group `group` as one, or stops. @param {string} group @param {boolean} on */
export async function setGroupWatching(group, on) {
  try {
    take(await call('set_group_watching', { group, on }));
    toast(t(on ? 'groups.watch_on' : 'groups.watch_off', { group }));
  } catch (failure) {
    toast(t('watch.not_changed', { error: /** @type {any} */ (failure).message || String(failure) }));
  }
}

/** Whether schedules are paused now. */
const paused = () => !!view.pausedUntil && view.pausedUntil > (view.now || Date.now());

/** The account menu's watch switch and Help's pause, as the app last said. */
function drawSwitches() {
  $('watch').hidden = !view.keeps;
  $('watch-toggle').setAttribute('aria-pressed', String(!!view.watching));
  $('pause-toggle').setAttribute('aria-pressed', String(paused()));
}

/**
 * The account menu's "Tell me when a machine stops that nobody here stopped" (the account
 * on screen) and Help's "Pause schedules for today" (every account), each a press.
 */
export function setupSwitches() {
  $('watch-toggle').addEventListener('click', async () => {
    const on = !view.watching;
    try {
      take(await call('set_watching', { on }));
      toast(t(on ? 'watch.on' : 'watch.off'));
    } catch (failure) {
      toast(t('watch.not_changed', { error: /** @type {any} */ (failure).message || String(failure) }));
    }
  });
  $('pause-toggle').addEventListener('click', async () => {
    const pause = !paused();
    try {
      take(await call('pause_schedules', { pause }));
      toast(t(pause ? 'schedule.paused_today' : 'schedule.resumed'));
    } catch (failure) {
      toast(t('schedules.not_saved'));
    }
  });
}

/** Forgets the account left's schedules (the next account's come with refresh). */
export function reset() {
  take({ schedules: [], zone: view.zone, pausedUntil: view.pausedUntil, lookedAt: null, warning: null });
}

/** "Madrid time", from a zone's name ("Europe/Madrid"). @param {string} zone */
export function zoneWords(zone) {
  const city = zone.split('/').pop() || zone;
  return t('schedule.zone', { city: city.replace(/_/g, ' ') });
}

/** "Weekdays", "Every day", "Weekends", or "Mon, Wed, Fri". @param {string[]} days */
export function daysWords(days) {
  const set = DAYS.filter((d) => days.includes(d));
  if (set.length === 7) return t('schedule.days.every_day');
  if (set.join() === WEEKDAYS.join()) return t('schedule.days.weekdays');
  if (set.join() === 'sat,sun') return t('schedule.days.weekend');
  return set.map((d) => t(`schedule.day.${d}`)).join(', ');
}

/** The whole schedule in one sentence. @param {Schedule} s */
export function scheduleWords(s) {
  const words = { days: daysWords(s.days), on: s.on || '', off: s.off || '', zone: zoneWords(s.zone) };
  const key = s.on && s.off ? 'schedule.words.on_off' : s.on ? 'schedule.words.on' : 'schedule.words.off';
  return t(key, words);
}

/** The schedules that turn machine `id`. @param {string} id */
export function schedulesOf(id) {
  return view.schedules.filter((s) => s.machines.includes(id));
}

/** Machine `id`'s next scheduled change, the soonest of its schedules'. @param {string} id @returns {NextChange|null} */
export function nextChangeOf(id) {
  if (view.pausedUntil && view.pausedUntil > Date.now()) return null;
  let best = /** @type {NextChange|null} */ (null);
  for (const s of schedulesOf(id)) if (s.next && (!best || s.next.at < best.at)) best = s.next;
  return best;
}

/** The row's mark of its next change ("off at 19:00"), or nothing. @param {string} id */
export function nextChangeMark(id) {
  const next = nextChangeOf(id);
  if (!next) return null;
  const words = t(`schedule.next.${next.turn}`, { time: next.time });
  return h('span', { class: 'next-change', 'data-tip': t('schedule.next_tip', { when: dateTime(next.at) }), text: `◷ ${words}` });
}

/** The details panel's section for machine `id`. @param {string} id @param {string} name */
export function detailSection(id, name) {
  const mine = schedulesOf(id);
  const items = mine.map((s) => h('li', {}, [
    // A group's schedule says so: it turns whatever machines the group holds.
    h('span', { text: s.group ? t('schedule.of_group', { group: s.group, words: scheduleWords(s) }) : scheduleWords(s) }),
    h('button', { type: 'button', class: 'link', text: t('schedule.edit'), 'aria-label': t('schedule.edit_of', { name }), onclick: () => open(s.machines, s, s.group) }),
    h('button', { type: 'button', class: 'link', text: t('schedule.remove'), 'aria-label': t('schedule.remove_of', { name }), onclick: () => remove(s) }),
  ]));
  return h('section', { class: 'office-hours', 'aria-labelledby': 'office-hours-title' }, [
    h('h3', { id: 'office-hours-title', text: t('schedule.section') }),
    mine.length ? h('ul', {}, items) : h('p', { class: 'muted', text: t('schedule.none') }),
    h('button', { type: 'button', text: t('schedule.add'), 'aria-haspopup': 'dialog', onclick: () => open([id]) }),
    h('p', { class: 'hint', text: honestLine() }),
  ]);
}

/** What schedules depend on, and when the app last looked. */
function honestLine() {
  const paused = view.pausedUntil && view.pausedUntil > Date.now() ? ' ' + t('schedule.paused_until', { when: dateTime(view.pausedUntil) }) : '';
  const looked = view.lookedAt ? ' ' + t('schedule.last_checked', { ago: ago(Date.now() - view.lookedAt) }) : '';
  return t('schedule.honest') + looked + paused;
}

/** @param {Schedule} s */
async function remove(s) {
  try {
    take(await call('remove_schedule', { id: s.id }));
    toast(t('schedule.removed'));
  } catch (failure) {
    toast(t('schedule.not_removed'));
  }
}

/**
 * The dialog: a new schedule for the machines `ids` (or for the group `group`, whatever
 * machines it holds when each change comes), or `existing` changed.
 * @param {string[]} ids @param {Schedule} [existing] @param {string} [group]
 */
export function open(ids, existing, group) {
  const dialog = /** @type {HTMLDialogElement} */ ($('schedule'));
  const error = $('schedule-error');
  showFailure(error, null);
  const names = ids.map((id) => byId(id)?.name || id);
  $('schedule-for').textContent = group
    ? t('schedule.for_group', { group, what: count(ids.length, 'machines') })
    : t('schedule.for', { names: names.join(', ') });
  const input = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ ($(id));
  const days = existing ? existing.days : WEEKDAYS;
  $('schedule-days').replaceChildren(...DAYS.map((d) => h('label', { class: 'day-choice' }, [
    h('input', { type: 'checkbox', name: 'schedule-day', value: d, checked: days.includes(d), 'aria-label': t(`schedule.day_full.${d}`) }),
    h('span', { text: t(`schedule.day.${d}`) }),
  ])));
  input('schedule-on-set').checked = existing ? !!existing.on : true;
  input('schedule-on').value = existing?.on || '08:00';
  input('schedule-off-set').checked = existing ? !!existing.off : true;
  input('schedule-off').value = existing?.off || '19:00';
  input('schedule-zone').value = existing?.zone || view.zone || '';
  $('schedule-zone-hint').textContent = view.zone ? t('schedule.zone_hint', { zone: view.zone }) : '';
  /** @type {string[]} */
  let skip = [...(existing?.skip || [])];
  const renderSkip = () => {
    $('schedule-skip-list').replaceChildren(...skip.map((d) => h('li', {}, [
      h('span', { text: d }),
      h('button', { type: 'button', class: 'link', text: t('schedule.skip_remove'), 'aria-label': t('schedule.skip_remove_of', { date: d }), onclick: () => { skip = skip.filter((x) => x !== d); renderSkip(); $('schedule-skip').focus(); } }),
    ])));
  };
  renderSkip();
  $('schedule-skip-add').onclick = () => {
    const d = input('schedule-skip').value;
    if (d && !skip.includes(d)) skip = [...skip, d].sort();
    input('schedule-skip').value = '';
    renderSkip();
  };
  /** What the dialog holds, as the app takes it. @returns {Schedule} */
  const chosen = () => ({
    id: existing ? existing.id : '',
    machines: group ? [] : ids,
    group,
    days: [...dialog.querySelectorAll('input[name="schedule-day"]:checked')].map((e) => /** @type {HTMLInputElement} */ (e).value),
    on: input('schedule-on-set').checked && input('schedule-on').value ? input('schedule-on').value : undefined,
    off: input('schedule-off-set').checked && input('schedule-off').value ? input('schedule-off').value : undefined,
    zone: input('schedule-zone').value.trim(),
    skip,
  });
  const preview = () => {
    const s = chosen();
    input('schedule-on').disabled = !input('schedule-on-set').checked;
    input('schedule-off').disabled = !input('schedule-off-set').checked;
    $('schedule-preview').textContent = s.days.length && (s.on || s.off) && s.zone ? scheduleWords(s) : '';
  };
  dialog.oninput = preview;
  $('schedule-weekdays').onclick = () => { for (const e of dialog.querySelectorAll('input[name="schedule-day"]')) /** @type {HTMLInputElement} */ (e).checked = WEEKDAYS.includes(/** @type {HTMLInputElement} */ (e).value); preview(); };
  $('schedule-every-day').onclick = () => { for (const e of dialog.querySelectorAll('input[name="schedule-day"]')) /** @type {HTMLInputElement} */ (e).checked = true; preview(); };
  preview();
  const save = /** @type {HTMLButtonElement} */ ($('schedule-save'));
  $('schedule-cancel').onclick = () => dialog.close();
  $('schedule-form').onsubmit = async (/** @type {Event} */ e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      const s = chosen();
      const first = view.schedules.length === 0;
      take(await call('set_schedule', { schedule: s }));
      dialog.close();
      toast(t('schedule.saved', { words: scheduleWords(s) }));
      if (first) offerStartAtLogin();
    } catch (failure) {
      // Said in the dialog; everything chosen stays, to be corrected.
      showFailure(error, /** @type {any} */ (failure));
    } finally {
      save.disabled = false;
    }
  };
  dialog.showModal();
  /** @type {HTMLElement} */ (dialog.querySelector('input[name="schedule-day"]')).focus();
}

/** What the rows show of the schedules (part of a row's key: drawn again when it changes). */
export function version() {
  return shown;
}
