// @ts-check
// A machine's details: every field, its actions with their words, its last problem, and
// "Copy support info" for a helpdesk ticket.
import { h, $ } from './dom.js';
import { relative, parseTime, dateTime } from './format.js';
import { failureContent, failureText, copy } from './feedback.js';
import { t, tx } from './i18n.js';
import { state, byId, queueRender, openHistory, shownName, canConnect, openConnect } from './screen.js';
import { stateCell } from './table.js';
import { actionButtons } from './actions.js';
import { detailSection } from './schedules.js';

/** @typedef {import('./screen.js').Row} Row */

export function renderDetail() {
  const aside = $('detail');
  const r = state.detail ? byId(state.detail) : undefined;
  if (!r) {
    aside.hidden = true;
    return;
  }
  aside.hidden = false;
  const created = parseTime(r.createdAt);
  const field = (/** @type {string} */ k, /** @type {any} */ v) => [h('dt', { text: k }), h('dd', { text: v == null || v === '' ? '—' : String(v) })];
  const panel = h('div', {}, [
    h('button', { type: 'button', class: 'link close', text: t('dialog.close'), 'aria-label': t('detail.close'), onclick: () => { state.detail = null; queueRender(); } }),
    h('h2', { id: 'detail-title', text: r.given || r.name }),
    r.given ? h('p', { class: 'service-name', text: t('names.service', { name: r.name }) }) : null,
    r.note ? h('p', { class: 'note', text: r.note }) : null,
    r.favourite ? h('p', {}, [h('span', { class: 'favourite', 'aria-hidden': 'true', text: '★' }), t('groups.favourite')]) : null,
    h('button', { type: 'button', class: 'link', text: t('names.edit'), 'aria-haspopup': 'dialog', 'aria-label': t('names.edit_of', { name: shownName(r) }),
      onclick: () => import('./names.js').then((names) => names.open(r)).catch((e) => console.error('names', e)) }),
    h('div', {}, stateCell(r)),
    h('div', { class: 'detail-actions', role: 'group', 'aria-label': t('detail.actions', { name: shownName(r) }) }, actionButtons(r, true)),
    canConnect(r) ? h('div', { class: 'detail-actions' }, [h('button', { type: 'button', 'aria-haspopup': 'dialog', text: t('connect.open'), 'aria-label': t('connect.open_of', { name: shownName(r) }), onclick: () => openConnect(r) })]) : null,
    h('dl', {}, [
      ...field(t('detail.id'), r.id),
      ...(r.groups && r.groups.length ? field(t('groups.groups'), r.groups.join(', ')) : []),
      ...field(t('col.state'), `${tx(r.stateLabel)} (${r.status || t('detail.not_reported')})`),
      ...field(t('col.zone'), r.zone),
      ...field(t('col.machine_type'), r.machineTypeFull),
      ...field(t('col.external_ip'), r.externalIp),
      ...field(t('col.internal_ip'), r.internalIp),
      ...field(t('col.template'), r.templateId),
      ...field(t('col.created'), created !== null ? `${dateTime(created)} (${relative(r.createdAt)})` : r.createdAt),
    ]),
    r.error ? h('div', { class: 'banner error' }, failureContent(r.error)) : null,
    detailSection(r.id, shownName(r)),
    h('div', { class: 'detail-actions' }, [
      h('button', { type: 'button', text: t('detail.copy_support'), onclick: () => copy(supportInfo(r), t('detail.support_copied')) }),
      h('button', { type: 'button', text: t('detail.history'), 'aria-haspopup': 'dialog', onclick: () => openHistory({ machineId: r.id, machine: shownName(r) }) }),
    ]),
  ]);
  // The screen is drawn again for every snapshot and resize; a panel that would look the
  // same keeps its nodes, so that keyboard focus stays where it is and a click under way
  // (pressed on one button, released on its replacement) is not lost.
  if (panel.innerHTML === aside.innerHTML) return;
  aside.replaceChildren(...panel.childNodes);
}

/** @param {Row} r */
function supportInfo(r) {
  const lines = [
    `${t('history.machine')}: ${shownName(r)}`, `ID: ${r.id}`, `${t('col.state')}: ${r.status || t('detail.not_reported')}`, `${t('col.zone')}: ${r.zone || '-'}`,
    `${t('col.machine_type')}: ${r.machineTypeFull || '-'}`, `${t('col.external_ip')}: ${r.externalIp || '-'}`, `${t('col.internal_ip')}: ${r.internalIp || '-'}`,
    `${t('col.template')}: ${r.templateId || '-'}`, `${t('col.created')}: ${r.createdAt || '-'}`,
  ];
  if (r.error) lines.push(`${t('detail.last_problem')}: ${failureText(r.error)}`, `${t('support.code')} ${r.error.errorId || '-'}`);
  return lines.join('\n');
}
