// Boolean query parameters read as apimachinery's Convert_Slice_string_To_bool reads them:
// the Python client sends `watch=True`, and `?watch=` (empty) is true, not false.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { parseListOptions, queryBool } from './list-options.js';

const configmaps = findResource('', 'configmaps') as ResourceInfo;

test('queryBool: absent, 0 and false (any case) are false; anything else, empty included, is true', () => {
  for (const v of [[], ['0'], ['false'], ['False'], ['FALSE']]) assert.equal(queryBool(v), false, JSON.stringify(v));
  for (const v of [[''], ['true'], ['True'], ['1'], ['yes']]) assert.equal(queryBool(v), true, JSON.stringify(v));
  // The first value decides, as upstream.
  assert.equal(queryBool(['false', 'true']), false);
  assert.equal(queryBool(['True', 'false']), true);
});

test('parseListOptions: watch=True and watch= watch; sendInitialEvents is unset when absent, else a boolean', () => {
  assert.equal(parseListOptions(configmaps, { watch: 'True' }).watch, true);
  assert.equal(parseListOptions(configmaps, { watch: '' }).watch, true);
  assert.equal(parseListOptions(configmaps, { watch: 'false' }).watch, false);
  assert.equal(parseListOptions(configmaps, {}).watch, false);
  assert.equal(parseListOptions(configmaps, { allowWatchBookmarks: 'True' }).allowWatchBookmarks, true);
  assert.equal(parseListOptions(configmaps, {}).sendInitialEvents, undefined);
  assert.equal(parseListOptions(configmaps, { sendInitialEvents: 'True' }).sendInitialEvents, true);
  assert.equal(parseListOptions(configmaps, { sendInitialEvents: '0' }).sendInitialEvents, false);
});
