// Bindings indexed by the subjects they name, so authorizing a request looks at the handful of
// bindings for the user's name and groups instead of scanning every binding in the cluster
// (Kubernetes scans its listers; at thousands of requests a second over many bindings the
// scan dominates). Rebuilt whenever the source's generation moves; Roles are not indexed (they
// are looked up live, so a role edit takes effect at once).
import type { ClusterRoleBinding, RoleBinding, Subject } from 'kubernetes-types/rbac/v1';
import { serviceAccountUsername, type UserInfo } from '../../../api/user.js';
import type { RbacSource } from './source.js';

export interface IndexedBinding {
  readonly binding: RoleBinding | ClusterRoleBinding;
  /** The binding's namespace; '' for a ClusterRoleBinding. */
  readonly namespace: string;
  /** Last visit's number: lets one request visit a binding once without allocating a Set. */
  stamp: number;
}

/** Bindings by username (User subjects and ServiceAccount subjects as their usernames) and by group. */
export interface SubjectIndex {
  readonly users: ReadonlyMap<string, readonly IndexedBinding[]>;
  readonly groups: ReadonlyMap<string, readonly IndexedBinding[]>;
}

const EMPTY: SubjectIndex = { users: new Map(), groups: new Map() };
const MAX_CACHED_NAMESPACES = 10_000;

/**
 * The username a subject stands for, or the group; undefined when it can match nobody (a
 * ServiceAccount without namespace in a ClusterRoleBinding, an unknown kind).
 */
export function subjectKey(s: Subject, bindingNamespace: string): { user?: string; group?: string } | undefined {
  switch (s.kind) {
    case 'User':
      return { user: s.name };
    case 'Group':
      return { group: s.name };
    case 'ServiceAccount': {
      // A RoleBinding's ServiceAccount subject defaults to the binding's namespace.
      const ns = s.namespace || bindingNamespace;
      return ns ? { user: serviceAccountUsername(ns, s.name) } : undefined;
    }
    default:
      return undefined;
  }
}

/** Kubernetes' appliesToUser: whether one subject of a binding (in `bindingNamespace`, '' for cluster) is this user. */
export function subjectApplies(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  const key = subjectKey(s, bindingNamespace);
  if (!key) return false;
  return key.user !== undefined ? key.user === user.username : user.groups.includes(key.group ?? '');
}

function add(map: Map<string, IndexedBinding[]>, key: string, entry: IndexedBinding): void {
  const list = map.get(key);
  if (!list) map.set(key, [entry]);
  // A binding naming the same subject twice is indexed once.
  else if (list[list.length - 1] !== entry) list.push(entry);
}

export function buildSubjectIndex(bindings: readonly (RoleBinding | ClusterRoleBinding)[], namespace: string): SubjectIndex {
  if (bindings.length === 0) return EMPTY;
  const users = new Map<string, IndexedBinding[]>();
  const groups = new Map<string, IndexedBinding[]>();
  for (const binding of bindings) {
    const entry: IndexedBinding = { binding, namespace, stamp: 0 };
    for (const s of binding.subjects ?? []) {
      const key = subjectKey(s, namespace);
      if (key?.user !== undefined) add(users, key.user, entry);
      else if (key?.group !== undefined) add(groups, key.group, entry);
    }
  }
  return { users, groups };
}

/** The cluster index and per-namespace indexes, each rebuilt lazily after the source changes. */
export class BindingIndex {
  private gen = Number.NaN;
  private clusterIndex: SubjectIndex = EMPTY;
  private readonly namespaces = new Map<string, SubjectIndex>();

  constructor(private readonly source: RbacSource) {}

  private refresh(): void {
    const g = this.source.generation();
    if (g === this.gen) return;
    this.gen = g;
    this.clusterIndex = buildSubjectIndex(this.source.listClusterRoleBindings(), '');
    this.namespaces.clear();
  }

  cluster(): SubjectIndex {
    this.refresh();
    return this.clusterIndex;
  }

  namespace(ns: string): SubjectIndex {
    this.refresh();
    let idx = this.namespaces.get(ns);
    if (idx) return idx;
    idx = buildSubjectIndex(this.source.listRoleBindings(ns), ns);
    // Requests naming made-up namespaces must not grow this map without bound.
    if (this.namespaces.size >= MAX_CACHED_NAMESPACES) this.namespaces.clear();
    this.namespaces.set(ns, idx);
    return idx;
  }
}
