// The grouped list (ui/js/groups.js): a heading per group, in reading order whatever the
// case of its letters, with its machines under it in the list's order (a machine in two
// groups under both), then those in none.
//   node --test tests/ui/
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { groupedLayout } from '../../ui/js/grouping.js';

test('a machine is under each of its groups, and those in none come last', () => {
  const row = (id, groups) => ({ id, name: id, groups });
  const shown = [row('a', ['Test lab', 'accounting']), row('b', undefined), row('c', ['Accounting']), row('d', ['test lab'])];
  const lines = groupedLayout(shown).map((l) => ('header' in l ? `# ${l.header} (${l.count})` : `${l.section}/${l.r.id}`));
  assert.deepEqual(lines, [
    '# accounting (2)', 'accounting/a', 'accounting/c',
    '# Test lab (2)', 'test lab/a', 'test lab/d',
    '#  (1)', '/b',
  ]);
});

test('with no group at all there is no heading', () => {
  const lines = groupedLayout([{ id: 'a', name: 'a' }]);
  assert.deepEqual(lines.map((l) => 'header' in l), [false]);
});
