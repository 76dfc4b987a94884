// Table printers for networking.k8s.io/v1, with kubectl's columns
// (pkg/printers/internalversion/printers.go: printIngress, printIngressClass, printNetworkPolicy).
import type { Ingress, IngressClass, IngressRule, NetworkPolicy } from 'kubernetes-types/networking/v1';
import { column, printer, formatLabelSelector, NAME_COLUMN, AGE_COLUMN, objectName as name, objectAge as age, type TablePrinter } from './format.js';

/** Up to three hosts, then `+ N more...`; `*` when no rule names a host. */
export function formatHosts(rules: IngressRule[] | undefined): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const rule of rules ?? []) {
    if (list.length === max) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${(rules?.length ?? 0) - max} more...` : list.join(',');
}

function ingressAddress(o: Ingress): string {
  const list = (o.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((s) => s !== '');
  const text = list.join(',');
  // Not wide: kubectl cuts long address lists to 16 characters.
  return text.length > 16 ? `${text.slice(0, 13)}...` : text;
}

export const ingressPrinter = printer<Ingress>(
  [
    NAME_COLUMN,
    column('Class', 'string', 'The name of the IngressClass resource.'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against.'),
    column('Address', 'string', 'Address is a list of IP addresses or hostnames of the load balancers.'),
    column('Ports', 'string', 'Ports of TLS configurations that open.'),
    AGE_COLUMN,
  ],
  (o, now) => [name(o), o.spec?.ingressClassName || '<none>', formatHosts(o.spec?.rules), ingressAddress(o), (o.spec?.tls ?? []).length ? '80, 443' : '80', age(o, now)],
);

export const ingressClassPrinter = printer<IngressClass>(
  [
    NAME_COLUMN,
    column('Controller', 'string', 'Controller that is responsible for handling this class.'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters.'),
    AGE_COLUMN,
  ],
  (o, now) => {
    const p = o.spec?.parameters;
    const parameters = p ? `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}` : '<none>';
    return [name(o), o.spec?.controller ?? '', parameters, age(o, now)];
  },
);

export const networkPolicyPrinter = printer<NetworkPolicy>(
  [NAME_COLUMN, column('Pod-Selector', 'string', 'The pods the policy applies to.'), AGE_COLUMN],
  (o, now) => [name(o), formatLabelSelector(o.spec?.podSelector), age(o, now)],
);

export const networkingPrinters: Record<string, TablePrinter> = {
  'networking.k8s.io/ingresses': ingressPrinter,
  'networking.k8s.io/ingressclasses': ingressClassPrinter,
  'networking.k8s.io/networkpolicies': networkPolicyPrinter,
};
