// A pod's /etc/resolv.conf and /etc/hosts, as the kubelet writes them (pkg/kubelet/network/dns
// and kubelet_pods.go managedHostsFileContent). Docker's own resolv.conf points at its embedded
// 127.0.0.11 server, which knows nothing of cluster names, so the kubelet bind-mounts these
// files into every app container instead. Pure: the host's resolv.conf comes in as text.
import type { Pod } from 'kubernetes-types/core/v1';

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export interface DnsSettings {
  /** --cluster-dns (empty: ClusterFirst falls back to the host's resolv.conf, as k8s does). */
  clusterDNS: string[];
  clusterDomain: string;
  /** The text of the host's resolv.conf (--resolv-conf). */
  hostResolvConf: string;
}

const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;

export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const [key, ...fields] = line.split(/\s+/);
    if (key === 'nameserver' && fields[0]) out.nameservers.push(fields[0]);
    else if (key === 'search' || key === 'domain') out.searches = fields;
    else if (key === 'options') out.options.push(...fields);
  }
  return out;
}

export function formatResolvConf(c: ResolvConf): string {
  const lines: string[] = [];
  if (c.searches.length) lines.push(`search ${c.searches.join(' ')}`);
  for (const n of c.nameservers) lines.push(`nameserver ${n}`);
  if (c.options.length) lines.push(`options ${c.options.join(' ')}`);
  return lines.join('\n') + '\n';
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Options merge by name: a later `ndots:2` replaces an earlier `ndots:5`. */
function mergeOptions(base: string[], extra: Array<{ name?: string; value?: string }>): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0], o);
  for (const o of extra) if (o.name) byName.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}

function hostConfig(settings: DnsSettings): ResolvConf {
  const host = parseResolvConf(settings.hostResolvConf);
  // A loopback resolver on the host (systemd-resolved, Docker's) is unreachable from a pod.
  host.nameservers = host.nameservers.filter((n) => !n.startsWith('127.') && n !== '::1');
  return host;
}

/** The effective DNS policy: ClusterFirst on the host network means Default (unless ClusterFirstWithHostNet). */
export function effectiveDnsPolicy(pod: Pod, settings: DnsSettings): 'ClusterFirst' | 'Default' | 'None' {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'None') return 'None';
  if (policy === 'Default') return 'Default';
  if (policy === 'ClusterFirst' && pod.spec?.hostNetwork) return 'Default';
  return settings.clusterDNS.length ? 'ClusterFirst' : 'Default';
}

export function podResolvConf(pod: Pod, settings: DnsSettings): ResolvConf {
  const ns = pod.metadata?.namespace ?? 'default';
  const d = settings.clusterDomain;
  let conf: ResolvConf;
  switch (effectiveDnsPolicy(pod, settings)) {
    case 'None':
      conf = { nameservers: [], searches: [], options: [] };
      break;
    case 'Default':
      conf = hostConfig(settings);
      break;
    case 'ClusterFirst': {
      const host = hostConfig(settings);
      conf = {
        nameservers: [...settings.clusterDNS],
        searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...host.searches],
        options: ['ndots:5'],
      };
      break;
    }
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    conf.nameservers = [...conf.nameservers, ...(extra.nameservers ?? [])];
    conf.searches = [...conf.searches, ...(extra.searches ?? [])];
    conf.options = mergeOptions(conf.options, extra.options ?? []);
  }
  return {
    nameservers: uniq(conf.nameservers).slice(0, MAX_NAMESERVERS),
    searches: uniq(conf.searches).slice(0, MAX_SEARCHES),
    options: conf.options,
  };
}

/** The pod's hostname: spec.hostname or its name, at most 63 characters (k8s GeneratePodHostNameAndDomain). */
export function podHostname(pod: Pod): string {
  const name = pod.spec?.hostname || pod.metadata?.name || '';
  return name.slice(0, 63).replace(/[-.]+$/, '');
}

export function podHostsFile(pod: Pod, podIP: string, clusterDomain: string, hostHostsFile?: string): string {
  const lines: string[] = [];
  if (pod.spec?.hostNetwork && hostHostsFile !== undefined) {
    lines.push(hostHostsFile.trimEnd());
  } else {
    lines.push(
      '# Kubernetes-managed hosts file.',
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      'fe00::0\tip6-localnet',
      'fe00::0\tip6-mcastprefix',
      'fe00::1\tip6-allnodes',
      'fe00::2\tip6-allrouters',
    );
    const hostname = podHostname(pod);
    if (podIP) {
      const sub = pod.spec?.subdomain;
      const ns = pod.metadata?.namespace ?? 'default';
      lines.push(sub ? `${podIP}\t${hostname}.${sub}.${ns}.svc.${clusterDomain}\t${hostname}` : `${podIP}\t${hostname}`);
    }
  }
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of aliases) if (a.ip) lines.push(`${a.ip}\t${(a.hostnames ?? []).join('\t')}`);
  }
  return lines.join('\n') + '\n';
}
