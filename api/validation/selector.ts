// metav1.LabelSelector matching, and its Go rendering for error messages.
import { GoText, asArray, asRecord, asString, asStringMap, goValue } from './field.js';

/** Whether a LabelSelector selects nothing-in-particular (no matchLabels, no expressions). */
export function isEmptySelector(selector: unknown): boolean {
  const sel = asRecord(selector);
  return Object.keys(asRecord(sel['matchLabels'])).length === 0 && asArray(sel['matchExpressions']).length === 0;
}

/** LabelSelectorAsSelector(...).Matches(labels). */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const sel = asRecord(selector);
  for (const [k, v] of Object.entries(asStringMap(sel['matchLabels']))) if (labels[k] !== v) return false;
  for (const raw of asArray(sel['matchExpressions'])) {
    const expr = asRecord(raw);
    const key = asString(expr['key']);
    const values = asArray(expr['values']).map(asString);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (asString(expr['operator'])) {
      case 'In':
        if (!has || !values.includes(labels[key] ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A map-style selector (RC, Service) matches when every pair is present. */
export function mapSelectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** `v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}` */
export function goLabelSelector(selector: unknown): GoText {
  if (selector === undefined || selector === null) return new GoText('null');
  const sel = asRecord(selector);
  const ml = sel['matchLabels'] === undefined ? 'map[string]string(nil)' : goValue(asStringMap(sel['matchLabels']));
  const exprs = asArray(sel['matchExpressions']);
  const me =
    exprs.length === 0
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${exprs
          .map((e) => {
            const r = asRecord(e);
            return `v1.LabelSelectorRequirement{Key:${JSON.stringify(asString(r['key']))}, Operator:${JSON.stringify(asString(r['operator']))}, Values:${goValue(asArray(r['values']).map(asString))}}`;
          })
          .join(', ')}}`;
  return new GoText(`v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${me}}`);
}
