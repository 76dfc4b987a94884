// apiregistration.k8s.io/v1 APIService validation, the rules of kube-aggregator's
// pkg/apis/apiregistration/validation: the name is `<version>.<group>` (`v1.` for the legacy
// core group), the version a DNS-1035 label and the group a DNS-1123 subdomain, priorities in
// range, a Service reference complete when given, and a CA bundle and insecureSkipTLSVerify
// never both.
import { type ErrorList, Path, field, asRecord, asString } from './field.js';
import { validateObjectMeta } from './meta.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPortNum } from './names.js';

type Obj = Record<string, unknown>;

/** ValidateAPIServiceName: `<version>.<group>`. */
export function validateAPIServiceName(name: string): string[] {
  const dot = name.indexOf('.');
  if (dot < 0) return ['must be in the form: version.group'];
  const group = name.slice(dot + 1);
  if (group === '') return name === 'v1.' ? [] : ['only v1 may have an empty group and it better be legacy kube'];
  return [...isDNS1123Subdomain(group), ...isDNS1035Label(name.slice(0, dot))];
}

/** A []byte field in JSON is base64: its length in bytes, as Go's len() reports it. */
function byteLength(b64: string): number {
  return Buffer.from(b64, 'base64').length;
}

function validateSpec(o: Obj, name: string): ErrorList {
  const errs: ErrorList = [];
  const sp = Path.root('spec');
  const spec = asRecord(o['spec']);
  const group = asString(spec['group']);
  const version = asString(spec['version']);
  const required = `${version}.${group}`;
  if (name !== required) errs.push(field.invalid(Path.root('metadata', 'name'), name, `must be \`spec.version+"."+spec.group\`: ${JSON.stringify(required)}`));
  if (group === '' && version !== 'v1') errs.push(field.required(sp.child('group'), 'only v1 may have an empty group and it better be legacy kube'));
  if (group !== '') for (const m of isDNS1123Subdomain(group)) errs.push(field.invalid(sp.child('group'), group, m));
  for (const m of isDNS1035Label(version)) errs.push(field.invalid(sp.child('version'), version, m));
  const gpm = typeof spec['groupPriorityMinimum'] === 'number' ? spec['groupPriorityMinimum'] : 0;
  if (gpm <= 0 || gpm > 20000) errs.push(field.invalid(sp.child('groupPriorityMinimum'), gpm, 'must be positive and less than 20000'));
  const vp = typeof spec['versionPriority'] === 'number' ? spec['versionPriority'] : 0;
  if (vp <= 0 || vp > 1000) errs.push(field.invalid(sp.child('versionPriority'), vp, 'must be positive and less than 1000'));
  const caBytes = byteLength(asString(spec['caBundle']));
  const insecure = spec['insecureSkipTLSVerify'] === true;
  if (spec['service'] === undefined || spec['service'] === null) {
    if (caBytes > 0) errs.push(field.invalid(sp.child('caBundle'), `${caBytes} bytes`, 'local APIServices may not have a caBundle'));
    if (insecure) errs.push(field.invalid(sp.child('insecureSkipTLSVerify'), true, 'local APIServices may not have insecureSkipTLSVerify'));
    return errs;
  }
  const svc = asRecord(spec['service']);
  const svcPath = sp.child('service');
  if (asString(svc['namespace']) === '') errs.push(field.required(svcPath.child('namespace')));
  if (asString(svc['name']) === '') errs.push(field.required(svcPath.child('name')));
  const port = typeof svc['port'] === 'number' ? svc['port'] : 0;
  for (const m of isValidPortNum(port)) errs.push(field.invalid(svcPath.child('port'), port, `port is not valid: ${m}`));
  if (insecure && caBytes > 0) errs.push(field.invalid(sp.child('insecureSkipTLSVerify'), true, 'may not be true if caBundle is present'));
  return errs;
}

export function validateAPIService(o: Obj): ErrorList {
  const name = asString(asRecord(o['metadata'])['name']);
  return [...validateObjectMeta(o['metadata'], false, (n) => validateAPIServiceName(n), Path.root('metadata')), ...validateSpec(o, name)];
}
