import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { authenticationConfigMapData } from './cluster-authentication-trust.js';

describe('extension-apiserver-authentication data', () => {
  test('keys and JSON lists as upstream writes them', () => {
    const data = authenticationConfigMapData({
      clientCA: 'CA',
      requestHeader: { clientCA: 'FP', allowedNames: ['front-proxy-client'], usernameHeaders: ['X-Remote-User'], groupHeaders: ['X-Remote-Group'], extraHeaderPrefixes: ['X-Remote-Extra-'] },
    });
    assert.deepEqual(data, {
      'client-ca-file': 'CA',
      'requestheader-client-ca-file': 'FP',
      'requestheader-allowed-names': '["front-proxy-client"]',
      'requestheader-username-headers': '["X-Remote-User"]',
      'requestheader-group-headers': '["X-Remote-Group"]',
      'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
    });
    assert.deepEqual(authenticationConfigMapData({}), {});
  });
});
