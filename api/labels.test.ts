import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from './status.js';
import {
  formatLabelSelector,
  isQualifiedName,
  labelSelectorFromObject,
  parseLabelSelector,
  validateLabelSelectorObject,
} from './labels.js';

function parseError(s: string): StatusError {
  try {
    parseLabelSelector(s);
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return e;
  }
  assert.fail(`expected ${JSON.stringify(s)} to be rejected`);
}

describe('parseLabelSelector', () => {
  test('the empty selector matches everything', () => {
    for (const s of ['', '  ']) {
      const sel = parseLabelSelector(s);
      assert.equal(sel.empty, true);
      assert.equal(sel.matches({ a: 'b' }), true);
      assert.equal(sel.matches(undefined), true);
      assert.equal(sel.toString(), '');
    }
  });

  test('all operators together', () => {
    const sel = parseLabelSelector('a=b,c!=d,e in (x,y),f notin (z),g,!h,i==j');
    const base = { a: 'b', e: 'x', g: '', i: 'j' };
    assert.equal(sel.matches(base), true);
    assert.equal(sel.matches({ ...base, c: 'e' }), true, 'c!=d holds for other values');
    assert.equal(sel.matches({ ...base, c: 'd' }), false);
    assert.equal(sel.matches({ ...base, a: 'x' }), false);
    assert.equal(sel.matches({ ...base, e: 'w' }), false);
    assert.equal(sel.matches({ ...base, f: 'z' }), false);
    assert.equal(sel.matches({ ...base, f: 'q' }), true);
    assert.equal(sel.matches({ ...base, h: '1' }), false);
    const { g: _g, ...noG } = base;
    assert.equal(sel.matches(noG), false);
  });

  test('prints sorted by key with sorted values, like k8s', () => {
    assert.equal(parseLabelSelector('z=1, a in (y, x),!b').toString(), 'a in (x,y),!b,z=1');
    assert.equal(parseLabelSelector('x notin (in)').toString(), 'x notin (in)');
  });

  test('in/notin are values in value position and empty values are allowed', () => {
    assert.equal(parseLabelSelector('x in (in,notin)').matches({ x: 'notin' }), true);
    assert.equal(parseLabelSelector('x=').matches({ x: '' }), true);
    assert.equal(parseLabelSelector('x in (,a)').matches({ x: '' }), true);
    assert.equal(parseLabelSelector('x in ()').matches({ x: '' }), true);
  });

  test('notin and != match when the key is absent; in and = do not', () => {
    assert.equal(parseLabelSelector('a!=b').matches({}), true);
    assert.equal(parseLabelSelector('a notin (b)').matches({}), true);
    assert.equal(parseLabelSelector('a=b').matches({}), false);
    assert.equal(parseLabelSelector('a in (b)').matches({}), false);
  });

  test('gt and lt compare integers', () => {
    const sel = parseLabelSelector('n>5,m<3');
    assert.equal(sel.matches({ n: '6', m: '2' }), true);
    assert.equal(sel.matches({ n: '5', m: '2' }), false);
    assert.equal(sel.matches({ n: 'x', m: '2' }), false);
  });

  test('keys with DNS prefixes', () => {
    const sel = parseLabelSelector('kubernetes.io/cluster-service=true');
    assert.equal(sel.matches({ 'kubernetes.io/cluster-service': 'true' }), true);
  });

  test('syntax errors are 400 BadRequest with k8s messages', () => {
    const e = parseError('a=b c');
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    assert.equal(e.message, "found 'c', expected: ',' or 'end of string'");
    assert.equal(parseError('a=b,').message, "found '', expected: identifier after ','");
    assert.equal(parseError('a in b').message, "unable to parse requirement: found 'b' expected: '('");
    assert.equal(parseError('a in (b').message, "unable to parse requirement: found '', expected: ',' or ')'");
    assert.equal(parseError('(a)').message, "found '(', expected: !, identifier, or 'end of string'");
    assert.equal(parseError('a b').message, "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  });

  test('invalid keys and values are reported with field paths', () => {
    const badKey = parseError('-a=b').message;
    assert.match(badKey, /^unable to parse requirement: : Invalid value: "-a": name part must consist of alphanumeric/);
    const badValue = parseError('a=-b').message;
    assert.match(badValue, /^unable to parse requirement: values\[0\]\[a\]: Invalid value: "-b": a valid label must be/);
  });
});

describe('label selector objects', () => {
  test('null selects nothing, {} everything', () => {
    assert.equal(labelSelectorFromObject(null).matches({ a: 'b' }), false);
    assert.equal(labelSelectorFromObject(undefined).matches({}), false);
    assert.equal(labelSelectorFromObject({}).matches({ a: 'b' }), true);
    assert.equal(labelSelectorFromObject({}).empty, true);
  });

  test('matchLabels and matchExpressions combine', () => {
    const sel = labelSelectorFromObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'edge'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    assert.equal(sel.matches({ app: 'web', tier: 'edge', team: 'x' }), true);
    assert.equal(sel.matches({ app: 'web', tier: 'edge', team: 'x', env: 'dev' }), false);
    assert.equal(sel.matches({ app: 'web', tier: 'edge', team: 'x', legacy: '1' }), false);
    assert.equal(sel.matches({ app: 'web', tier: 'edge' }), false);
    assert.equal(sel.toString(), 'app=web,env notin (dev),!legacy,team,tier in (edge,front)');
  });

  test('formatLabelSelector', () => {
    assert.equal(formatLabelSelector({ matchLabels: { app: 'nginx', tier: 'x' } }), 'app=nginx,tier=x');
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(formatLabelSelector(null), '<none>');
    assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<error>');
  });

  test('an invalid operator in a query is a 400', () => {
    assert.throws(
      () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }),
      (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === '"Bogus" is not a valid label selector operator',
    );
  });

  test('validateLabelSelectorObject reports causes with field paths', () => {
    assert.deepEqual(validateLabelSelectorObject({ matchLabels: { app: 'web' } }, 'spec.selector'), []);
    assert.deepEqual(validateLabelSelectorObject(undefined, 'spec.selector'), []);
    const causes = validateLabelSelectorObject(
      {
        matchLabels: { 'bad key!': 'v' },
        matchExpressions: [
          { key: 'a', operator: 'In' },
          { key: 'b', operator: 'Exists', values: ['x'] },
          { key: 'c', operator: 'Sometimes' },
        ],
      },
      'spec.selector',
    );
    assert.deepEqual(
      causes.map((c) => [c.field, c.reason]),
      [
        ['spec.selector.matchLabels', 'FieldValueInvalid'],
        ['spec.selector.matchExpressions[0].values', 'FieldValueRequired'],
        ['spec.selector.matchExpressions[1].values', 'FieldValueForbidden'],
        ['spec.selector.matchExpressions[2].operator', 'FieldValueInvalid'],
      ],
    );
    assert.equal(causes[3].message, 'Invalid value: "Sometimes": not a valid selector operator');
  });

  test('isQualifiedName', () => {
    assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
    assert.deepEqual(isQualifiedName('a/b/c').length, 1);
    assert.match(isQualifiedName('/a')[0], /^prefix part must be non-empty$/);
    assert.match(isQualifiedName('x'.repeat(64))[0], /^name part must be no more than 63 characters$/);
  });
});
