// The table's order (ui/js/order.js) against the first screens the app picks in its own
// (src-tauri/window/first_screen.rs, which writes this fixture): the same rows on top, for
// each column both ways, in both languages.
//   node --test tests/ui/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { sortRows } from '../../ui/js/order.js';
import { setLanguage } from '../../ui/js/i18n.js';

const read = (path) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const fixture = read('./fixtures/first-screen.json');

test('the first screen the app picks is the top of the page order', () => {
  const orders = Object.entries(fixture.orders);
  assert.ok(orders.length >= 20, 'every column both ways in both languages');
  for (const [which, ids] of orders) {
    const [lang, column, way] = which.split('/');
    setLanguage(lang, read(`../../ui/i18n/${lang}.json`));
    const { rows } = sortRows(fixture.rows, column, way === 'desc');
    assert.equal(ids.length, fixture.first);
    assert.deepEqual(rows.slice(0, fixture.first).map((r) => r.id), ids, which);
  }
});

test('rows alike in every key keep the order they came in, either way', () => {
  const row = (id) => ({ id, name: 'web-1', stateLabel: { key: 'status.running' } });
  const list = [row('a'), row('b'), row('c')];
  assert.deepEqual(sortRows(list, 'name', false).rows.map((r) => r.id), ['a', 'b', 'c']);
  assert.deepEqual(sortRows(list, 'name', true).rows.map((r) => r.id), ['a', 'b', 'c']);
});

test('a machine given a name is ordered by it and found by either name', () => {
  const row = (id, name, given) => ({ id, name, given, stateLabel: { key: 'status.running' } });
  const list = [row('a', 'tw-550e84-a1b2c3d4', 'Accounting PC'), row('b', 'b-web', undefined), row('c', 'a-web', 'zeta')];
  const { rows, names } = sortRows(list, 'name', false);
  // "Accounting PC", "b-web", "zeta": by the name read first, not the service's.
  assert.deepEqual(rows.map((r) => r.id), ['a', 'b', 'c']);
  const found = (q) => rows.filter((_, i) => names[i].includes(q)).map((r) => r.id);
  assert.deepEqual(found('accounting'), ['a']);
  assert.deepEqual(found('a1b2c3'), ['a']);
  assert.deepEqual(found('a-web'), ['c']);
});
