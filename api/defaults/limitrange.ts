// SetDefaults_LimitRangeItem (core/v1): a Container item's default limit falls back to its max,
// its default request to the default limit, then to its min — so LimitRanger fills a request
// equal to the limit when only a limit is given, as Kubernetes does.
import { isObject } from '../types.js';
import type { Obj } from './util.js';

function fill(into: Obj, from: unknown): void {
  if (!isObject(from)) return;
  for (const [k, v] of Object.entries(from)) if (!(k in into)) into[k] = v;
}

export function defaultLimitRange(lr: Obj): void {
  const spec = lr['spec'];
  if (!isObject(spec) || !Array.isArray(spec['limits'])) return;
  for (const item of spec['limits']) {
    if (!isObject(item) || item['type'] !== 'Container') continue;
    const dflt: Obj = isObject(item['default']) ? item['default'] : {};
    const dfltRequest: Obj = isObject(item['defaultRequest']) ? item['defaultRequest'] : {};
    fill(dflt, item['max']);
    fill(dfltRequest, dflt);
    fill(dfltRequest, item['min']);
    if (Object.keys(dflt).length) item['default'] = dflt;
    if (Object.keys(dfltRequest).length) item['defaultRequest'] = dfltRequest;
  }
}
