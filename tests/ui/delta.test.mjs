// The page's part of the list sent as what changed (ui/js/delta.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDelta } from '../../ui/js/delta.js';

const row = (id, status) => ({ id, status });

test('a delta brings the list it was made from to the newest', () => {
  const held = { seq: 4, machines: [row('a', 'RUNNING'), row('b', 'RUNNING'), row('c', 'STOPPED')] };
  const delta = { base: 10, seq: 6, loaded: true, changed: [row('b', 'STOPPING'), row('d', 'PROVISIONING')], gone: ['c'] };
  const next = applyDelta(held, 10, delta);
  assert.deepEqual(next.machines, [row('a', 'RUNNING'), row('b', 'STOPPING'), row('d', 'PROVISIONING')]);
  assert.equal(next.seq, 6);
  assert.equal(next.base, undefined);
  assert.equal(next.machines[0], held.machines[0], 'a row that did not change keeps its object');
});

test('a delta about another list is refused, so the page asks for the whole one', () => {
  const held = { seq: 4, machines: [row('a', 'RUNNING')] };
  const delta = { base: 10, seq: 6, changed: [], gone: ['a'] };
  assert.equal(applyDelta(held, 9, delta), null, 'a missed list');
  assert.equal(applyDelta(held, null, delta), null, 'a list from a call');
});

test('with nothing changed the list keeps its array: nothing is sorted again', () => {
  const held = { seq: 4, machines: [row('a', 'RUNNING')] };
  const next = applyDelta(held, 3, { base: 3, seq: 4, updatedAt: 99, changed: [], gone: [] });
  assert.equal(next.machines, held.machines);
  assert.equal(next.updatedAt, 99);
});

test('a seeded run of changes applied as deltas ends as the truth', () => {
  let seed = 20261203;
  const random = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const statuses = ['RUNNING', 'STOPPED', 'STOPPING', 'STARTING'];
  let truth = new Map(Array.from({ length: 100 }, (_, i) => [`m${i}`, 'RUNNING']));
  let page = { machines: [...truth].map(([id, s]) => row(id, s)) };
  let next = 100;
  for (let step = 1; step <= 500; step++) {
    const before = new Map(truth);
    const ids = [...truth.keys()];
    const pick = random(10);
    if (pick === 0 && ids.length) truth.delete(ids[random(ids.length)]);
    else if (pick === 1) truth.set(`m${next++}`, 'PROVISIONING');
    else if (ids.length) truth.set(ids[random(ids.length)], statuses[random(statuses.length)]);
    const changed = [...truth].filter(([id, s]) => before.get(id) !== s).map(([id, s]) => row(id, s));
    const gone = [...before.keys()].filter((id) => !truth.has(id));
    page = applyDelta(page, step - 1, { base: step - 1, seq: step, changed, gone });
    const shown = page.machines.map((r) => `${r.id}:${r.status}`).sort();
    const want = [...truth].map(([id, s]) => `${id}:${s}`).sort();
    assert.deepEqual(shown, want, `after change ${step}`);
  }
});

test('rows changed in place keep their places and say which they replaced', () => {
  const held = { machines: [row('a', 'RUNNING'), row('b', 'STOPPING'), row('c', 'RUNNING')] };
  const next = applyDelta(held, 1, { base: 1, seq: 2, changed: [row('b', 'STOPPED')], gone: [] });
  assert.deepEqual(next.machines, [row('a', 'RUNNING'), row('b', 'STOPPED'), row('c', 'RUNNING')]);
  assert.equal(next.machines[0], held.machines[0], 'an unchanged row keeps its object');
  assert.equal(next.replaced.from, held.machines);
  assert.deepEqual(next.replaced.rows, [row('b', 'STOPPED')]);
  // A new row is not a replacement: the list is rebuilt, and says nothing replaced.
  const grown = applyDelta(held, 1, { base: 1, seq: 2, changed: [row('d', 'PROVISIONING')], gone: [] });
  assert.equal(grown.replaced, undefined);
  assert.deepEqual(grown.machines.map((r) => r.id), ['a', 'b', 'c', 'd']);
});
