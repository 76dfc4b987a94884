// Containers, volumes and pod templates as kubectl describe prints them (shared by the pod,
// deployment and other workload describers).
import type { Container, ContainerState, ContainerStatus, PodTemplateSpec, Probe, Volume } from 'kubernetes-types/core/v1';
import { byBytes } from '../../api/json.js';
import { rfc1123z, writeLabels, writeAnnotations, type DescribeWriter } from './writer.js';

function probeText(p: Probe): string {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
  if (p.exec) return `exec [${(p.exec.command ?? []).join(' ')}] ${attrs}`;
  if (p.httpGet) {
    const scheme = (p.httpGet.scheme ?? 'HTTP').toLowerCase();
    return `http-get ${scheme}://${p.httpGet.host ?? ''}:${p.httpGet.port}${p.httpGet.path ?? ''} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port} ${attrs}`;
  if (p.grpc) return `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ''} ${attrs}`;
  return `unknown ${attrs}`;
}

function writeState(w: DescribeWriter, title: string, s: ContainerState, space: string): void {
  if (s.running) {
    w.line(2, `${title}:\tRunning`);
    w.line(3, `Started:\t${rfc1123z(s.running.startedAt)}`);
  } else if (s.waiting) {
    w.line(2, `${title}:\tWaiting`);
    if (s.waiting.reason) w.line(3, `Reason:\t${s.waiting.reason}`);
    if (s.waiting.message) w.line(3, `Message:\t${s.waiting.message}`);
  } else if (s.terminated) {
    w.line(2, `${title}:\tTerminated`);
    if (s.terminated.reason) w.line(3, `Reason:\t${s.terminated.reason}`);
    if (s.terminated.message) w.line(3, `Message:\t${s.terminated.message}`);
    w.line(3, `Exit Code:\t${s.terminated.exitCode}`);
    if (s.terminated.signal) w.line(3, `Signal:\t${s.terminated.signal}`);
    w.line(3, `Started:\t${rfc1123z(s.terminated.startedAt)}`);
    w.line(3, `Finished:\t${rfc1123z(s.terminated.finishedAt)}`);
  } else {
    w.line(2, `${title}:\tWaiting`);
  }
}

function writeResources(w: DescribeWriter, title: string, list: Record<string, string | number> | undefined, space: string): void {
  const keys = Object.keys(list ?? {}).sort(byBytes);
  if (keys.length === 0) return;
  w.line(2, `${title}:`);
  for (const k of keys) w.line(3, `${k}:\t${list![k]}`);
}

/** describeContainers: `space` is the extra indent templates use (" "). */
export function writeContainers(w: DescribeWriter, title: string, containers: Container[], statuses: ContainerStatus[] | undefined, space: string): void {
  w.line(0, `${space}${title}:${containers.length === 0 ? ' <none>' : ''}`);
  for (const c of containers) {
    const st = statuses?.find((s) => s.name === c.name);
    w.line(1, `${space ? ' ' : ''}${c.name}:`);
    if (st) w.line(2, `Container ID:\t${st.containerID ?? ''}`);
    w.line(2, `Image:\t${c.image ?? ''}`);
    if (st) w.line(2, `Image ID:\t${st.imageID ?? ''}`);
    const ports = c.ports ?? [];
    if (ports.length === 0) {
      w.line(2, `Port:\t<none>`);
      w.line(2, `Host Port:\t<none>`);
    } else {
      w.line(2, `Port${ports.length > 1 ? 's' : ''}:\t${ports.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ')}`);
      w.line(2, `Host Port${ports.length > 1 ? 's' : ''}:\t${ports.map((p) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`).join(', ')}`);
    }
    if (c.command?.length) {
      w.line(2, `Command:`);
      for (const a of c.command) for (const l of a.split('\n')) w.line(3, `${l}`);
    }
    if (c.args?.length) {
      w.line(2, `Args:`);
      for (const a of c.args) for (const l of a.split('\n')) w.line(3, `${l}`);
    }
    if (st) {
      writeState(w, 'State', st.state ?? {}, space);
      if (st.lastState && (st.lastState.running || st.lastState.waiting || st.lastState.terminated)) writeState(w, 'Last State', st.lastState, space);
      w.line(2, `Ready:\t${st.ready ? 'True' : 'False'}`);
      w.line(2, `Restart Count:\t${st.restartCount ?? 0}`);
    }
    writeResources(w, 'Limits', c.resources?.limits as Record<string, string> | undefined, space);
    writeResources(w, 'Requests', c.resources?.requests as Record<string, string> | undefined, space);
    if (c.livenessProbe) w.line(2, `Liveness:\t${probeText(c.livenessProbe)}`);
    if (c.readinessProbe) w.line(2, `Readiness:\t${probeText(c.readinessProbe)}`);
    if (c.startupProbe) w.line(2, `Startup:\t${probeText(c.startupProbe)}`);
    if (!c.env?.length && !c.envFrom?.length) {
      w.line(2, `Environment:\t<none>`);
    } else {
      if (c.envFrom?.length) {
        w.line(2, `Environment Variables from:`);
        for (const e of c.envFrom) {
          const ref = e.configMapRef ? `${e.configMapRef.name}\tConfigMap` : `${e.secretRef?.name}\tSecret`;
          w.line(3, `${ref}\tOptional: ${!!(e.configMapRef?.optional ?? e.secretRef?.optional)}`);
        }
      }
      if (c.env?.length) {
        w.line(2, `Environment:`);
        for (const e of c.env) {
          if (e.value !== undefined) w.line(3, `${e.name}:\t${e.value}`);
          else if (e.valueFrom?.fieldRef) w.line(3, `${e.name}:\t (${e.valueFrom.fieldRef.apiVersion ?? 'v1'}:${e.valueFrom.fieldRef.fieldPath})`);
          else if (e.valueFrom?.configMapKeyRef) w.line(3, `${e.name}:\t<set to the key '${e.valueFrom.configMapKeyRef.key}' of config map '${e.valueFrom.configMapKeyRef.name}'>\tOptional: ${!!e.valueFrom.configMapKeyRef.optional}`);
          else if (e.valueFrom?.secretKeyRef) w.line(3, `${e.name}:\t<set to the key '${e.valueFrom.secretKeyRef.key}' in secret '${e.valueFrom.secretKeyRef.name}'>\tOptional: ${!!e.valueFrom.secretKeyRef.optional}`);
          else w.line(3, `${e.name}:\t`);
        }
      }
    }
    const mounts = c.volumeMounts ?? [];
    if (mounts.length === 0) w.line(2, `Mounts:\t<none>`);
    else {
      w.line(2, `Mounts:`);
      for (const m of [...mounts].sort((a, b) => byBytes(a.mountPath, b.mountPath))) {
        const flags = [m.readOnly ? 'ro' : 'rw', ...(m.subPath ? [`path="${m.subPath}"`] : [])];
        w.line(3, `${m.mountPath} from ${m.name} (${flags.join(',')})`);
      }
    }
  }
}

export function writeVolumes(w: DescribeWriter, volumes: Volume[] | undefined, space: string): void {
  if (!volumes || volumes.length === 0) {
    w.line(0, `${space}Volumes:\t<none>`);
    return;
  }
  w.line(0, `${space}Volumes:`);
  for (const v of volumes) {
    w.line(1, `${space ? ' ' : ''}${v.name}:`);
    if (v.emptyDir) {
      w.line(2, `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)`);
      w.line(2, `Medium:\t${v.emptyDir.medium ?? ''}`);
      w.line(2, `SizeLimit:\t${v.emptyDir.sizeLimit ?? '<unset>'}`);
    } else if (v.configMap) {
      w.line(2, `Type:\tConfigMap (a volume populated by a ConfigMap)`);
      w.line(2, `Name:\t${v.configMap.name}`);
      w.line(2, `Optional:\t${!!v.configMap.optional}`);
    } else if (v.secret) {
      w.line(2, `Type:\tSecret (a volume populated by a Secret)`);
      w.line(2, `SecretName:\t${v.secret.secretName}`);
      w.line(2, `Optional:\t${!!v.secret.optional}`);
    } else if (v.hostPath) {
      w.line(2, `Type:\tHostPath (bare host directory volume)`);
      w.line(2, `Path:\t${v.hostPath.path}`);
      w.line(2, `HostPathType:\t${v.hostPath.type ?? ''}`);
    } else if (v.persistentVolumeClaim) {
      w.line(2, `Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)`);
      w.line(2, `ClaimName:\t${v.persistentVolumeClaim.claimName}`);
      w.line(2, `ReadOnly:\t${!!v.persistentVolumeClaim.readOnly}`);
    } else if (v.projected) {
      w.line(2, `Type:\tProjected (a volume that contains injected data from multiple sources)`);
    } else {
      w.line(2, `<unknown>`);
    }
  }
}

/** DescribePodTemplate: labels, annotations, containers and volumes, indented under "Pod Template:". */
export function writePodTemplate(w: DescribeWriter, t: PodTemplateSpec | undefined): void {
  w.line(0, 'Pod Template:');
  if (!t) {
    w.line(1, '<unset>');
    return;
  }
  writeLabels(w, 1, t.metadata?.labels);
  if (t.metadata?.annotations && Object.keys(t.metadata.annotations).length) writeAnnotations(w, 1, t.metadata.annotations);
  if (t.spec?.serviceAccountName) w.line(1, `Service Account:\t${t.spec.serviceAccountName}`);
  if (t.spec?.initContainers?.length) writeContainers(w, 'Init Containers', t.spec.initContainers, undefined, '  ');
  writeContainers(w, 'Containers', t.spec?.containers ?? [], undefined, '  ');
  writeVolumes(w, t.spec?.volumes, '  ');
  const sel = t.spec?.nodeSelector;
  w.line(1, `Node-Selectors:\t${sel && Object.keys(sel).length ? Object.keys(sel).sort(byBytes).map((k) => `${k}=${sel[k]}`).join(',') : '<none>'}`);
  writeTolerations(w, 1, t.spec?.tolerations);
}

export function writeTolerations(w: DescribeWriter, level: number, tolerations: { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }[] | undefined): void {
  if (!tolerations?.length) {
    w.line(level, `Tolerations:\t<none>`);
    return;
  }
  tolerations.forEach((t, i) => {
    let s = t.key ?? '';
    if (t.value) s += `=${t.value}`;
    if (t.effect) s += `:${t.effect}`;
    if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) s += ` for ${t.tolerationSeconds}s`;
    w.line(level, `${i === 0 ? 'Tolerations:' : ''}\t${s}`);
  });
}
