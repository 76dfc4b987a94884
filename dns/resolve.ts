// The resolver's decision for one question: (question, cluster state) → rcode and sections.
// Pure: no I/O, no clock. Forwarding to an upstream, when configured, is the caller's job; the
// resolution only says when it would help (`fallthrough`, `chase`).
import type { Answer, Question, StringAnswer } from 'dns-packet';
import type { ClusterState } from './cluster-state.js';
import { labelsUnder, normalizeName, parseName } from './names.js';
import { authorityZone, recordsFor, soaRecord, type ZoneConfig } from './records.js';

export type Rcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED';

export interface Resolution {
  rcode: Rcode;
  /** Set for names in the zones we own (AA bit). */
  authoritative: boolean;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /** Not ours (outside the zone, or a reverse name we know nothing of): an upstream may know better. */
  fallthrough: boolean;
  /** The answer ends in a CNAME to a name outside the zone: an upstream can add its records. */
  chase?: string;
}

/** CNAME chains inside the zone are followed this far (ExternalName → ExternalName …). */
const MAX_CNAME_CHAIN = 8;

export function resolve(question: Question, state: ClusterState, cfg: ZoneConfig): Resolution {
  return resolveChain(question.name, question.type, state, cfg, 0);
}

function resolveChain(name: string, qtype: string, state: ClusterState, cfg: ZoneConfig, depth: number): Resolution {
  const parsed = parseName(name, cfg.zone);
  if (parsed.kind === 'outside') {
    return { rcode: 'REFUSED', authoritative: false, answers: [], authorities: [], additionals: [], fallthrough: true };
  }
  const reverse = parsed.kind === 'reverse' || parsed.kind === 'reverse-partial';
  const node = recordsFor(name, parsed, state, cfg);
  const negative = (rcode: Rcode): Resolution => ({
    rcode,
    authoritative: true,
    answers: [],
    authorities: [soaRecord(authorityZone(parsed, cfg), cfg, state.serial())],
    additionals: [],
    fallthrough: reverse && rcode === 'NXDOMAIN',
  });
  if (!node.exists) return negative('NXDOMAIN');

  const cname = node.records.find((r): r is StringAnswer => r.type === 'CNAME');
  if (cname && qtype !== 'CNAME' && qtype !== 'ANY') {
    const target = cname.data;
    const base: Resolution = { rcode: 'NOERROR', authoritative: true, answers: [cname], authorities: [], additionals: [], fallthrough: false };
    if (labelsUnder(target, cfg.zone) === undefined) return { ...base, chase: normalizeName(target) };
    if (depth >= MAX_CNAME_CHAIN) return { ...base, rcode: 'SERVFAIL' };
    const rest = resolveChain(target, qtype, state, cfg, depth + 1);
    return { ...rest, answers: [cname, ...rest.answers], authoritative: true, fallthrough: false };
  }

  const answers = qtype === 'ANY' ? node.records : node.records.filter((r) => r.type === qtype);
  if (answers.length === 0) return negative('NOERROR');
  const wantsGlue = qtype === 'SRV' || qtype === 'ANY';
  return {
    rcode: 'NOERROR',
    authoritative: true,
    answers,
    authorities: [],
    additionals: wantsGlue ? node.additionals : [],
    fallthrough: false,
  };
}
