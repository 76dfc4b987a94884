// The root CA certificate publisher (pkg/controller/certificates/rootcacertpublisher): every
// active namespace holds the ConfigMap `kube-root-ca.crt` with the cluster's CA bundle, which
// the kubelet projects into every pod's `kube-api-access-*` volume as `ca.crt`. It is recreated
// when deleted and repaired when edited; terminating namespaces are left alone.
// The bundle comes from `--root-ca-file`; without it this controller does not run.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1';
import { WorkQueue, deletedObject, isNotFound, type ResourceClient, type SharedInformer } from '../client/index.js';
import { controllerFlags, stringFlag, type FlagDeclarations } from './options.js';
import type { Controller, ControllerContext } from './controller.js';
import { namespaceTerminating } from './controller/controller-utils.js';
import { runQueue } from './run-queue.js';
import { namespaceActive } from './serviceaccount.js';
import { ROOT_CA_CONFIGMAP } from '../api/serviceaccount.js';

export const ROOT_CA_CONFIG_MAP = ROOT_CA_CONFIGMAP;
export const ROOT_CA_KEY = 'ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
/** Kubernetes' wording, so tools that show the annotation read the same in both. */
export const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * The contents of `--root-ca-file`, checked to be one or more PEM certificates (Kubernetes'
 * readCA refuses anything else at startup rather than publish garbage to every namespace).
 */
export function readRootCA(path: string): string {
  const pem = readFileSync(path, 'utf8');
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new Error(`error parsing root-ca-file at ${path}: data does not contain any valid PEM certificates`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (e) {
      throw new Error(`error parsing root-ca-file at ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return pem;
}

/** Whether the ConfigMap already says what the publisher would write (data exactly, a description present). */
export function rootCAConfigMapCurrent(cm: ConfigMap, rootCA: string): boolean {
  const data = cm.data ?? {};
  const keys = Object.keys(data);
  return keys.length === 1 && data[ROOT_CA_KEY] === rootCA && !!cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION];
}

/** The ConfigMap repaired: the data replaced, the description set, everything else (labels, other annotations, binaryData) kept, as Kubernetes does. */
export function repairedRootCAConfigMap(cm: ConfigMap, rootCA: string): ConfigMap {
  const copy = structuredClone(cm);
  copy.metadata = { ...copy.metadata, annotations: { ...copy.metadata?.annotations, [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION } };
  copy.data = { [ROOT_CA_KEY]: rootCA };
  return copy;
}

export function newRootCAConfigMap(namespace: string, rootCA: string): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: ROOT_CA_CONFIG_MAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION } },
    data: { [ROOT_CA_KEY]: rootCA },
  };
}

/** `--root-ca-file`, read by this controller and by the service account token controller. */
export const ROOT_CA_FILE_FLAG = stringFlag(
  '',
  "CA bundle published as ConfigMap kube-root-ca.crt in every namespace and put in token Secrets as ca.crt (without it the root-ca-cert-publisher does not run, and token Secrets get the kubeconfig's CA)",
);

export class RootCACertPublisher implements Controller {
  static readonly controllerName = 'root-ca-cert-publisher';
  static readonly flags = { 'root-ca-file': ROOT_CA_FILE_FLAG } satisfies FlagDeclarations;
  readonly name = RootCACertPublisher.controllerName;
  private readonly rootCA: string;
  private readonly namespaces: SharedInformer<Namespace>;
  private readonly configMaps: SharedInformer<ConfigMap>;
  private readonly client: ResourceClient<ConfigMap>;
  private readonly queue = new WorkQueue<string>({ name: 'root_ca_cert_publisher' });

  /** Kubernetes falls back to the kubeconfig's CA; tskube asks for the file explicitly. */
  static disabledReason(ctx: ControllerContext): string | undefined {
    return controllerFlags(ctx, RootCACertPublisher.flags)['root-ca-file'] === '' ? 'root CA certificate publisher is disabled: no --root-ca-file' : undefined;
  }

  constructor(private readonly ctx: ControllerContext) {
    this.rootCA = readRootCA(controllerFlags(ctx, RootCACertPublisher.flags)['root-ca-file']);
    this.namespaces = ctx.factory.informerFor('namespaces');
    // Only the one ConfigMap name matters: do not cache every ConfigMap of the cluster.
    this.configMaps = ctx.factory.informerFor('configmaps', { fieldSelector: `metadata.name=${ROOT_CA_CONFIG_MAP}` });
    this.client = ctx.client.resource('configmaps');
    this.namespaces.addEventHandler({
      onAdd: (ns) => this.queue.add(ns.metadata?.name ?? ''),
      onUpdate: (_o, ns) => this.queue.add(ns.metadata?.name ?? ''),
    });
    const byNamespace = (cm: ConfigMap): void => {
      if (cm.metadata?.name === ROOT_CA_CONFIG_MAP) this.queue.add(cm.metadata.namespace ?? '');
    };
    this.configMaps.addEventHandler({
      onAdd: byNamespace,
      onUpdate: (_o, cm) => byNamespace(cm),
      onDelete: (obj) => byNamespace(deletedObject(obj)),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    await runQueue(this.ctx, signal, { name: 'root-ca-cert-publisher', queue: this.queue, workers: 1, reconcile: (ns) => this.sync(ns) });
  }

  private async sync(namespace: string): Promise<void> {
    if (!namespace || !namespaceActive(this.namespaces.lister.getByName('', namespace))) return;
    const cm = this.configMaps.lister.getByName(namespace, ROOT_CA_CONFIG_MAP);
    if (!cm) {
      try {
        await this.client.inNamespace(namespace).create(newRootCAConfigMap(namespace, this.rootCA));
        this.ctx.log.info({ configmap: `${namespace}/${ROOT_CA_CONFIG_MAP}` }, 'published root CA');
      } catch (e) {
        // The namespace is gone or going: nothing to publish into. AlreadyExists (our cache
        // lagged) is retried: by then the cache has the object and it is compared.
        if (isNotFound(e) || namespaceTerminating(e)) return;
        throw e;
      }
      return;
    }
    if (rootCAConfigMapCurrent(cm, this.rootCA)) return;
    // Written against the cached resourceVersion: a 409 means the cache is behind, and the
    // retry (with backoff) compares again with what it then holds.
    await this.client.inNamespace(namespace).update(repairedRootCAConfigMap(cm, this.rootCA));
    this.ctx.log.info({ configmap: `${namespace}/${ROOT_CA_CONFIG_MAP}` }, 'repaired root CA config map');
  }
}
