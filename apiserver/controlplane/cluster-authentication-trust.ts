// The `extension-apiserver-authentication` ConfigMap in kube-system (Kubernetes'
// pkg/controlplane/controller/clusterauthenticationtrust): how this apiserver authenticates
// clients — --client-ca-file and the --requestheader-* settings — published so aggregated API
// servers (metrics-server…) can trust the same client certificates and front-proxy headers.
// Readable through the `extension-apiserver-authentication-reader` Role.
import type { Logger } from 'pino';
import { StatusError } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import type { RequestHeaderConfig } from '../auth/authn/request-header.js';
import type { ResourceStore } from '../registry/store.js';

export const AUTHENTICATION_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' };

export interface ClusterAuthenticationInfo {
  clientCA?: string;
  requestHeader?: RequestHeaderConfig;
}

/** The ConfigMap's data, keyed and encoded as upstream (lists as JSON arrays). */
export function authenticationConfigMapData(info: ClusterAuthenticationInfo): Record<string, string> {
  const data: Record<string, string> = {};
  if (info.clientCA) data['client-ca-file'] = info.clientCA;
  const rh = info.requestHeader;
  if (rh) {
    data['requestheader-client-ca-file'] = rh.clientCA;
    data['requestheader-allowed-names'] = JSON.stringify(rh.allowedNames);
    data['requestheader-username-headers'] = JSON.stringify(rh.usernameHeaders);
    data['requestheader-group-headers'] = JSON.stringify(rh.groupHeaders);
    data['requestheader-extra-headers-prefix'] = JSON.stringify(rh.extraHeaderPrefixes);
  }
  return data;
}

export async function publishAuthenticationInfo(configMaps: ResourceStore, info: ClusterAuthenticationInfo, log: Logger): Promise<void> {
  const data = authenticationConfigMapData(info);
  if (Object.keys(data).length === 0) return;
  const { namespace, name } = AUTHENTICATION_CONFIGMAP;
  const cur = configMaps.cache.get(`${namespace}/${name}`)?.obj;
  if (cur && JSON.stringify(cur['data']) === JSON.stringify(data)) return;
  if (!cur) {
    try {
      await configMaps.create(namespace, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data } as KObject);
      log.info({ configmap: `${namespace}/${name}` }, 'published the cluster authentication info');
      return;
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  }
  await configMaps.guaranteedUpdate(namespace, name, (obj) => ({ ...obj, data }));
}
