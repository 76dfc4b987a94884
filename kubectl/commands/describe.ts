// kc describe TYPE [NAME_PREFIX…] | TYPE/NAME | -l sel: one object after another, each with
// its events (found by involvedObject field selectors).
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { ConfigMap, Event, LimitRange, Namespace, Node, Pod, ResourceQuota, Secret, Service } from 'kubernetes-types/core/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { labelSelectorFromObject } from '../../api/labels.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { isNotFound } from '../../client/index.js';
import { bool, str, strs, type KcCommand } from '../command.js';
import { AggregateCliError } from '../errors.js';
import type { Factory } from '../factory.js';
import { listAll } from '../fetch.js';
import { write } from '../io.js';
import { parseResourceArgs, resolveType } from '../resource-args.js';
import { describeConfigMap, describeGeneric, describeSecret } from '../describe/generic.js';
import { describeNode } from '../describe/node.js';
import { describePod } from '../describe/pod.js';
import { describeService } from '../describe/service.js';
import { describeLimitRange, describeNamespace, describeQuota } from '../describe/quota.js';
import { describeDeployment, describeReplicaSet } from '../describe/workloads.js';

async function eventsFor(f: Factory, obj: KObject, kind: string): Promise<Event[]> {
  const m = obj.metadata ?? {};
  const fields = [`involvedObject.name=${m.name}`, `involvedObject.kind=${kind}`];
  if (m.namespace) fields.push(`involvedObject.namespace=${m.namespace}`);
  if (m.uid && kind !== 'Node') fields.push(`involvedObject.uid=${m.uid}`);
  try {
    const { items } = await listAll(f.client, resolveType('events'), m.namespace, { fieldSelector: fields.join(',') });
    return items as unknown as Event[];
  } catch {
    return [];
  }
}

export async function describeObject(f: Factory, info: ResourceInfo, obj: KObject): Promise<string> {
  const events = await eventsFor(f, obj, info.kind);
  const ns = obj.metadata?.namespace;
  switch (`${info.group}/${info.resource}`) {
    case '/pods':
      return describePod(obj as unknown as Pod, events);
    case 'apps/deployments': {
      const rs = await listAll(f.client, resolveType('replicasets.apps'), ns, {
        labelSelector: labelSelectorFromObject((obj as unknown as Deployment).spec?.selector).toString(),
      }).catch(() => ({ items: [] }));
      return describeDeployment(obj as unknown as Deployment, rs.items as unknown as ReplicaSet[], events);
    }
    case 'apps/replicasets': {
      const pods = await listAll(f.client, resolveType('pods'), ns, {
        labelSelector: labelSelectorFromObject((obj as unknown as ReplicaSet).spec?.selector).toString(),
      }).catch(() => ({ items: [] }));
      const owned = (pods.items as unknown as Pod[]).filter((p) => p.metadata?.ownerReferences?.some((r) => r.uid === obj.metadata?.uid));
      return describeReplicaSet(obj as unknown as ReplicaSet, owned, events);
    }
    case '/services': {
      const slices = await listAll(f.client, resolveType('endpointslices.discovery.k8s.io'), ns, {
        labelSelector: `kubernetes.io/service-name=${obj.metadata?.name}`,
      }).catch(() => ({ items: [] }));
      return describeService(obj as unknown as Service, slices.items as unknown as EndpointSlice[], events);
    }
    case '/nodes': {
      const name = obj.metadata?.name ?? '';
      const pods = await listAll(f.client, resolveType('pods'), undefined, {
        fieldSelector: `spec.nodeName=${name},status.phase!=Succeeded,status.phase!=Failed`,
      }).catch(() => ({ items: [] }));
      const lease = await f
        .resource(resolveType('leases.coordination.k8s.io'), 'kube-node-lease')
        .get(name)
        .catch((e: unknown) => (e as Error).message);
      return describeNode(obj as unknown as Node, pods.items as unknown as Pod[], lease as unknown as Lease | string, events);
    }
    case '/resourcequotas':
      return describeQuota(obj as unknown as ResourceQuota);
    case '/limitranges':
      return describeLimitRange(obj as unknown as LimitRange);
    case '/namespaces': {
      // A list that fails (not served) leaves its section out, as kubectl does on NotFound.
      const name = obj.metadata?.name ?? '';
      const quotas = await listAll(f.client, resolveType('resourcequotas'), name).then((l) => l.items as unknown as ResourceQuota[], () => undefined);
      const limits = await listAll(f.client, resolveType('limitranges'), name).then((l) => l.items as unknown as LimitRange[], () => undefined);
      return describeNamespace(obj as unknown as Namespace, quotas, limits);
    }
    case '/configmaps':
      return describeConfigMap(obj as unknown as ConfigMap, events);
    case '/secrets':
      return describeSecret(obj as unknown as Secret, events);
    default:
      return describeGeneric(obj, events);
  }
}

export const describeCommand: KcCommand = {
  command: 'describe [args..]',
  describe: 'Show details of a specific resource or group of resources',
  builder: (y) =>
    y
      .option('selector', { alias: 'l', type: 'string' })
      .option('all-namespaces', { alias: 'A', type: 'boolean' })
      .option('show-events', { type: 'boolean', default: true }),
  run: async (f, argv) => {
    const parsed = parseResourceArgs(strs(argv.args), 'describe');
    const allNs = bool(argv.allNamespaces);
    const errors: unknown[] = [];
    const objects: { info: ResourceInfo; obj: KObject }[] = [];
    for (const req of parsed.requests) {
      const ns = req.info.namespaced ? (allNs ? undefined : f.namespace) : undefined;
      if (req.names.length === 0) {
        const { items } = await listAll(f.client, req.info, ns, { labelSelector: str(argv.selector) });
        for (const obj of items) objects.push({ info: req.info, obj });
        continue;
      }
      for (const name of req.names) {
        try {
          objects.push({ info: req.info, obj: await f.resource(req.info, ns ?? f.namespace).get(name) });
        } catch (e) {
          if (!isNotFound(e)) throw e;
          // kubectl describe falls back to objects whose name starts with what was typed.
          const { items } = await listAll(f.client, req.info, ns ?? f.namespace);
          const matches = items.filter((o) => o.metadata?.name?.startsWith(name));
          if (matches.length === 0) errors.push(e);
          for (const obj of matches) objects.push({ info: req.info, obj });
        }
      }
    }
    if (objects.length === 0 && errors.length === 0) {
      const ns = allNs ? '' : ` in ${f.namespace} namespace`;
      const namespaced = parsed.requests.every((r) => r.info.namespaced);
      await write(f.io.stderr, `No resources found${namespaced ? ns : ''}.\n`);
    }
    let first = true;
    for (const { info, obj } of objects) {
      const text = await describeObject(f, info, obj);
      await write(f.io.stdout, (first ? '' : '\n\n') + text);
      first = false;
    }
    if (errors.length > 0) throw new AggregateCliError(errors);
  },
};
