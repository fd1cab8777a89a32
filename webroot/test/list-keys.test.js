import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextRow } from '../js/components/list-keys.js';

const rows = ['a', 'b', 'c'];

test('from the list itself, arrows start at the newest message', () => {
  assert.equal(nextRow(rows, 'list', 'ArrowUp'), 'c');
  assert.equal(nextRow(rows, 'list', 'ArrowDown'), 'c');
});

test('arrows move one message and stop at the ends; Home and End go to them', () => {
  assert.equal(nextRow(rows, 'b', 'ArrowUp'), 'a');
  assert.equal(nextRow(rows, 'a', 'ArrowUp'), 'a');
  assert.equal(nextRow(rows, 'b', 'ArrowDown'), 'c');
  assert.equal(nextRow(rows, 'c', 'ArrowDown'), 'c');
  assert.equal(nextRow(rows, 'c', 'Home'), 'a');
  assert.equal(nextRow(rows, 'a', 'End'), 'c');
  assert.equal(nextRow([], 'list', 'ArrowUp'), null);
});
