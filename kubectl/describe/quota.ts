// kubectl describe for ResourceQuota, LimitRange and Namespace (the namespace lists its quotas
// and limit ranges), as kubectl's describeQuota / describeLimitRange / describeNamespace print them.
import type { LimitRange, Namespace, ResourceQuota } from 'kubernetes-types/core/v1';
import { formatQuantity, parseQuantity } from '../../api/quantity.js';
import { byBytes } from '../../api/json.js';
import { DescribeWriter, rfc1123z, writeAnnotations, writeLabels } from './writer.js';

/** A quantity as Go's Quantity.String() prints it (canonical); absent: `0`. */
function q(v: string | number | undefined): string {
  if (v === undefined) return '0';
  try {
    return formatQuantity(parseQuantity(String(v)));
  } catch {
    return String(v);
  }
}

function scopeHelp(scope: string): string {
  switch (scope) {
    case 'Terminating':
      return 'Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.';
    case 'NotTerminating':
      return 'Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.';
    case 'BestEffort':
      return 'Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.';
    case 'NotBestEffort':
      return 'Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.';
    default:
      return '';
  }
}

/** Scopes, their help lines, then Resource/Used/Hard rows; `p` indents the namespace form (kubectl 1.32: one level). */
function writeQuotaBody(w: DescribeWriter, rq: ResourceQuota, p: string, rule: string): void {
  const scopes = [...(rq.spec?.scopes ?? [])].sort();
  if (scopes.length) {
    w.line(0, `${p}Scopes:\t${scopes.join(', ')}`);
    // ` * help` under a quota's own describe, `  * help` (one level in) under the namespace's.
    for (const s of scopes) if (scopeHelp(s)) w.line(0, `${p || ' '}* ${scopeHelp(s)}`);
  }
  w.line(0, `${p}Resource\tUsed\tHard`);
  w.line(0, `${p}--------\t${rule}\t${rule}`);
  const hard = rq.status?.hard ?? {};
  for (const r of Object.keys(hard).sort()) w.line(0, `${p}${r}\t${q(rq.status?.used?.[r])}\t${q(hard[r])}`);
}

export function describeQuota(rq: ResourceQuota): string {
  const w = new DescribeWriter();
  w.line(0, `Name:\t${rq.metadata?.name ?? ''}`);
  w.line(0, `Namespace:\t${rq.metadata?.namespace ?? ''}`);
  writeQuotaBody(w, rq, '', '----');
  return w.toString();
}

/** describeLimitRangeSpec: one row per type and resource, `-` where a value is unset. */
function writeLimitRows(w: DescribeWriter, lr: LimitRange, p: string): void {
  for (const item of lr.spec?.limits ?? []) {
    const fields = [item.min, item.max, item.defaultRequest, item.default, item.maxLimitRequestRatio];
    // kubectl walks a Go map here (random order); sorted is the stable choice.
    const names = [...new Set(fields.flatMap((f) => Object.keys(f ?? {})))].sort(byBytes);
    for (const n of names) w.line(0, `${p}${item.type}\t${n}\t${fields.map((f) => (f?.[n] === undefined ? '-' : q(f[n]))).join('\t')}`);
  }
}

export function describeLimitRange(lr: LimitRange): string {
  const w = new DescribeWriter();
  w.line(0, `Name:\t${lr.metadata?.name ?? ''}`);
  w.line(0, `Namespace:\t${lr.metadata?.namespace ?? ''}`);
  w.line(0, 'Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio');
  w.line(0, '----\t--------\t---\t---\t---------------\t-------------\t-----------------------');
  writeLimitRows(w, lr, '');
  return w.toString();
}

/** describeNamespace: metadata, phase, conditions, then DescribeResourceQuotas and DescribeLimitRanges. */
export function describeNamespace(ns: Namespace, quotas: ResourceQuota[] | undefined, limits: LimitRange[] | undefined): string {
  const w = new DescribeWriter();
  w.line(0, `Name:\t${ns.metadata?.name ?? ''}`);
  writeLabels(w, 0, ns.metadata?.labels);
  writeAnnotations(w, 0, ns.metadata?.annotations);
  w.line(0, `Status:\t${ns.status?.phase ?? ''}`);
  if (ns.status?.conditions?.length) {
    w.line(0, 'Conditions:');
    w.line(1, 'Type\tStatus\tLastTransitionTime\tReason\tMessage');
    w.line(1, '----\t------\t------------------\t------\t-------');
    for (const c of ns.status.conditions) w.line(1, `${c.type}\t${c.status}\t${rfc1123z(c.lastTransitionTime)}\t${c.reason ?? ''}\t${c.message ?? ''}`);
  }
  if (quotas) {
    w.write(0, '\n');
    if (!quotas.length) w.line(0, 'No resource quota.');
    else {
      w.line(0, 'Resource Quotas');
      for (const rq of [...quotas].sort((a, b) => byBytes(a.metadata?.name ?? '', b.metadata?.name ?? ''))) {
        w.line(1, `Name:\t${rq.metadata?.name ?? ''}`);
        writeQuotaBody(w, rq, '  ', '---');
      }
    }
  }
  if (limits) {
    w.write(0, '\n');
    if (!limits.length) w.line(0, 'No LimitRange resource.');
    else {
      w.line(0, 'Resource Limits');
      w.line(0, ' Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio');
      w.line(0, ' ----\t--------\t---\t---\t---------------\t-------------\t-----------------------');
      for (const lr of limits) writeLimitRows(w, lr, ' ');
    }
  }
  return w.toString();
}
