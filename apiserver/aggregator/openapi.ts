// OpenAPI v3 of aggregated API servers (kube-aggregator's openapiv3 aggregator): each
// available backend's /openapi/v3 index is read after its discovery check passes; the
// group-version it serves is added to the apiserver's own index, and its document is fetched
// from the backend when asked for — so `kubectl apply` and `kubectl explain` see aggregated
// kinds as they see built-in ones. A backend without OpenAPI v3 is simply left out.
import { createHash } from 'node:crypto';
import type { APIService } from '../../api/apiregistration.js';
import { probe } from './probe.js';
import type { Target } from './resolver.js';
import type { ProxyTransport } from './transport.js';

interface Entry {
  /** `apis/<group>/<version>`. */
  path: string;
  /** Where the backend serves that document (its own serverRelativeURL). */
  backendURL: string;
  hash: string;
}

/** The backend's serverRelativeURL for `apis/<g>/<v>` in an OpenAPI v3 index, if it lists it (pure). */
export function backendDocumentURL(index: Buffer, path: string): string | undefined {
  try {
    const doc = JSON.parse(index.toString('utf8')) as { paths?: Record<string, { serverRelativeURL?: string }> };
    const url = doc.paths?.[path]?.serverRelativeURL;
    return typeof url === 'string' && url.startsWith('/') ? url : undefined;
  } catch {
    return undefined;
  }
}

export class OpenAPIV3Aggregation {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly transport: ProxyTransport) {}

  /** After a passing discovery check: what the backend's index says about its group-version. */
  async refresh(svc: APIService, target: Target): Promise<void> {
    const name = svc.metadata?.name ?? '';
    const path = `apis/${svc.spec.group}/${svc.spec.version}`;
    const r = await probe(this.transport, svc, target, '/openapi/v3').catch(() => undefined);
    const url = r && r.status === 200 ? backendDocumentURL(r.body, path) : undefined;
    if (!url) {
      this.entries.delete(name);
      return;
    }
    this.entries.set(name, { path, backendURL: url, hash: createHash('sha256').update(url).digest('hex').slice(0, 32).toUpperCase() });
  }

  remove(name: string): void {
    this.entries.delete(name);
  }

  /** The apiserver's index with the aggregated group-versions added. */
  index(base: { paths: Record<string, unknown> }): object {
    const paths = { ...base.paths };
    for (const e of this.entries.values()) paths[e.path] = { serverRelativeURL: `/openapi/v3/${e.path}?hash=${e.hash}` };
    return { ...base, paths };
  }

  /** The APIService whose backend serves the document at `path`, and where. */
  find(path: string, services: (name: string) => APIService | undefined): { svc: APIService; url: string } | undefined {
    for (const [name, e] of this.entries) {
      if (e.path !== path) continue;
      const svc = services(name);
      if (svc) return { svc, url: e.backendURL };
    }
    return undefined;
  }
}
