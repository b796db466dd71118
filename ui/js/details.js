// @ts-check
// A machine's details: every field, its actions with their words, its last problem, and
// "Copy support info" for a helpdesk ticket.
import { h, $ } from './dom.js';
import { relative, parseTime, dateTime } from './format.js';
import { failureContent } from './feedback.js';
import { state, byId, queueRender, copy, openHistory } from './screen.js';
import { stateCell } from './table.js';
import { actionButtons } from './actions.js';

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
  aside.replaceChildren(...[
    h('button', { type: 'button', class: 'link close', text: 'Close', 'aria-label': 'Close details', onclick: () => { state.detail = null; queueRender(); } }),
    h('h2', { id: 'detail-title', text: r.name }),
    h('div', {}, stateCell(r)),
    h('div', { class: 'detail-actions', role: 'group', 'aria-label': `Actions for ${r.name}` }, actionButtons(r, true)),
    h('dl', {}, [
      ...field('Machine ID', r.id),
      ...field('State', `${r.stateLabel} (${r.status || 'not reported'})`),
      ...field('Zone', r.zone),
      ...field('Machine type', r.machineTypeFull),
      ...field('External IP', r.externalIp),
      ...field('Internal IP', r.internalIp),
      ...field('Template', r.templateId),
      ...field('Created', created !== null ? `${dateTime(created)} (${relative(r.createdAt)})` : r.createdAt),
    ]),
    r.error ? h('div', { class: 'banner error' }, failureContent(r.error)) : null,
    h('div', { class: 'detail-actions' }, [
      h('button', { type: 'button', text: 'Copy support info', onclick: () => copy(supportInfo(r), 'Support info copied') }),
      h('button', { type: 'button', text: 'History of this machine', 'aria-haspopup': 'dialog', onclick: () => openHistory({ machineId: r.id, machine: r.name }) }),
    ]),
  ].filter((e) => e !== null));
}

/** @param {Row} r */
function supportInfo(r) {
  const lines = [
    `Machine: ${r.name}`, `ID: ${r.id}`, `State: ${r.status || 'not reported'}`, `Zone: ${r.zone || '-'}`,
    `Machine type: ${r.machineTypeFull || '-'}`, `External IP: ${r.externalIp || '-'}`, `Internal IP: ${r.internalIp || '-'}`,
    `Template: ${r.templateId || '-'}`, `Created: ${r.createdAt || '-'}`,
  ];
  if (r.error) lines.push(`Last problem: ${r.error.message}`, `Support code: ${r.error.errorId || '-'}`);
  return lines.join('\n');
}
