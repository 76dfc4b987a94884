// The kubelet against a real apiserver (real etcd) and the real Docker: pods are bound by
// setting spec.nodeName directly. Every pod is created up front, so their starts overlap; each
// test then checks one behaviour. One watch records every pod status the apiserver saw.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import { waitFor } from '../harness/ports.js';
import { BUSYBOX, condition, containerStatus, execIn, isRunning, shPod, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

const NODE = 'kt-pods';
let env: KubeletEnv;
const history = new Map<string, Pod[]>();
let stopWatch: () => void = () => undefined;
let appDbIP = '';

const cfgPod: Pod = {
  metadata: { name: 'cfg', labels: { app: 'cfg' } },
  spec: {
    terminationGracePeriodSeconds: 1,
    volumes: [
      { name: 'conf', configMap: { name: 'app-config' } },
      { name: 'creds', secret: { secretName: 'app-secret' } },
      { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    ],
    containers: [
      {
        name: 'main',
        image: BUSYBOX,
        command: ['sh', '-c', 'echo "$(GREETING) from $(POD_NAME)" > /tmp/cmd; sleep 3600'],
        env: [
          { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'greeting' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'password' } } },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'MEM_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'COMBINED', value: '$(GREETING)-$(POD_NAME)-$$(LITERAL)' },
          { name: 'DB_URL', value: 'pg://$(APP_DB_SERVICE_HOST):$(APP_DB_SERVICE_PORT_SQL)' },
        ],
        envFrom: [{ prefix: 'CM_', configMapRef: { name: 'app-config' } }],
        volumeMounts: [
          { name: 'conf', mountPath: '/etc/conf' },
          { name: 'creds', mountPath: '/etc/creds' },
          { name: 'info', mountPath: '/etc/info' },
          { name: 'conf', mountPath: '/etc/greeting', subPath: 'greeting' },
        ],
        resources: { limits: { memory: '64Mi', cpu: '500m' } },
      },
    ],
  },
};

const duoPod: Pod = {
  metadata: { name: 'duo' },
  spec: {
    terminationGracePeriodSeconds: 1,
    enableServiceLinks: false,
    volumes: [{ name: 'shared', emptyDir: {} }, { name: 'mem', emptyDir: { medium: 'Memory' } }],
    initContainers: [
      { name: 'init-1', image: BUSYBOX, command: ['sh', '-c', 'echo one >> /shared/order'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] },
      { name: 'init-2', image: BUSYBOX, command: ['sh', '-c', 'echo two >> /shared/order'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] },
    ],
    containers: [
      { name: 'web', image: BUSYBOX, command: ['httpd', '-f', '-p', '8080', '-h', '/shared'], volumeMounts: [{ name: 'shared', mountPath: '/shared' }] },
      {
        name: 'client',
        image: BUSYBOX,
        command: ['sh', '-c', 'until wget -q -O /mem/got http://localhost:8080/order; do sleep 0.2; done; sleep 3600'],
        volumeMounts: [{ name: 'mem', mountPath: '/mem' }],
      },
    ],
  },
};

before(async () => {
  env = await startKubeletEnv();
  await env.client.resource('configmaps', 'default').create({ metadata: { name: 'app-config' }, data: { greeting: 'hello', color: 'blue' } });
  await env.client.resource('secrets', 'default').create({ metadata: { name: 'app-secret' }, data: { password: Buffer.from('s3cret').toString('base64') } });
  appDbIP = (await env.client.resource('services', 'default').create({ metadata: { name: 'app-db' }, spec: { ports: [{ name: 'sql', port: 5432 }, { name: 'dns', port: 53, protocol: 'UDP' }] } })).spec?.clusterIP ?? '';
  await env.client.resource('services', 'default').create({ metadata: { name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } });
  const watch = await env.client.resource('pods', 'default').watch({});
  stopWatch = () => watch.close();
  void (async () => {
    for await (const ev of watch) {
      if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') continue;
      const name = ev.object.metadata?.name ?? '';
      history.set(name, [...(history.get(name) ?? []), ev.object]);
    }
  })();
  await env.startKubelet(NODE, { clusterDNS: ['10.96.0.10'] });
  const port = 20000 + Math.floor(Math.random() * 20000);
  // A hostPath PV is root's directory; the pod runs as user 1000.
  const { mkdir, chmod } = await import('node:fs/promises');
  await mkdir(`${env.rootDir}/pv-data`);
  await chmod(`${env.rootDir}/pv-data`, 0o777);
  const claim = await env.client.resource('persistentvolumeclaims', 'default').create({
    metadata: { name: 'claim' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: 'pv-1' },
  });
  await env.client.resource('persistentvolumes').create({
    metadata: { name: 'pv-1' },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      hostPath: { path: `${env.rootDir}/pv-data`, type: 'DirectoryOrCreate' },
      claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'claim', uid: claim.metadata?.uid ?? '' },
    },
  });
  // No binder runs here: mark the claim Bound as the PV controller would.
  await env.client.resource('persistentvolumeclaims', 'default').patch('claim', 'merge', { status: { phase: 'Bound' } }, { subresource: 'status' });
  await Promise.all([
    env.createPod(NODE, duoPod),
    env.createPod(NODE, cfgPod),
    env.createPod(NODE, shPod('crash', 'echo crashing; exit 3')),
    env.createPod(NODE, {
      metadata: { name: 'missing-image' },
      // A registry on a closed loopback port: the pull fails at once, and nothing leaves the host.
      spec: { containers: [{ name: 'main', image: '127.0.0.1:1/tskube-missing:1', imagePullPolicy: 'IfNotPresent' }] },
    }),
    env.createPod(NODE, {
      ...shPod('ready', 'sleep 3600'),
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          { name: 'main', image: BUSYBOX, command: ['sh', '-c', 'sleep 3600'], readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 } },
        ],
      },
    }),
    env.createPod(NODE, {
      metadata: { name: 'live' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'main',
            image: BUSYBOX,
            command: ['sh', '-c', 'if [ ! -e /data/started ]; then touch /data/started /tmp/healthy; fi; httpd -p 8081 -h /tmp; sleep 3600'],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
            livenessProbe: { httpGet: { path: '/healthy', port: 8081 }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 2 },
          },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
      },
    }),
    env.createPod(NODE, shPod('done', 'echo finished', { restartPolicy: 'Never' })),
    env.createPod(NODE, shPod('fail-init', 'sleep 3600', { restartPolicy: 'Never', initContainers: [{ name: 'setup', image: BUSYBOX, command: ['sh', '-c', 'exit 7'] }] })),
    env.createPod(NODE, { ...shPod('hostport-1', 'sleep 3600'), spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'], ports: [{ containerPort: 80, hostPort: port }] }] } }),
    env.createPod(NODE, {
      metadata: { name: 'oom' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: BUSYBOX, command: ['tail', '/dev/zero'], resources: { limits: { memory: '20Mi' } } }] },
    }),
    env.createPod(NODE, {
      metadata: { name: 'secure' },
      spec: {
        terminationGracePeriodSeconds: 1,
        securityContext: { runAsUser: 1000, runAsGroup: 2000 },
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'claim' } }],
        containers: [
          {
            name: 'main',
            image: BUSYBOX,
            command: ['sh', '-c', 'id -u > /data/uid; sleep 3600'],
            securityContext: { readOnlyRootFilesystem: true },
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
        ],
      },
    }),
    env.createPod(NODE, { metadata: { name: 'nfs' }, spec: { containers: [{ name: 'main', image: BUSYBOX }], volumes: [{ name: 'v', nfs: { server: '127.0.0.1', path: '/x' } }] } }),
  ]);
  // Created after hostport-1 was admitted: same host port.
  await env.waitForPod('hostport-1', 'running', isRunning);
  await env.createPod(NODE, { ...shPod('hostport-2', 'sleep 3600'), spec: { containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'], ports: [{ containerPort: 80, hostPort: port }] }] } });
});

after(async () => {
  stopWatch();
  await env?.stop();
});

test('the node registers with capacity, labels, conditions and a lease it renews', async () => {
  const node = await env.client.resource('nodes').get(NODE);
  assert.equal(node.metadata?.labels?.['kubernetes.io/hostname'], NODE);
  assert.equal(node.metadata?.labels?.['kubernetes.io/os'], 'linux');
  assert.ok(node.metadata?.labels?.['kubernetes.io/arch']);
  assert.equal(node.status?.capacity?.pods, '110');
  assert.ok(Number(node.status?.capacity?.cpu) >= 1);
  assert.match(String(node.status?.capacity?.memory), /^\d+Ki$/);
  assert.ok(node.status?.allocatable?.['ephemeral-storage']);
  assert.equal(node.status?.daemonEndpoints?.kubeletEndpoint?.Port, 10250);
  assert.match(node.status?.nodeInfo?.containerRuntimeVersion ?? '', /^docker:\/\//);
  assert.deepEqual(node.status?.addresses?.map((a) => a.type), ['InternalIP', 'Hostname']);
  const types = Object.fromEntries((node.status?.conditions ?? []).map((c) => [c.type, c.status]));
  assert.deepEqual(types, { MemoryPressure: 'False', DiskPressure: 'False', PIDPressure: 'False', Ready: 'True' });
  const leases = env.client.resource('leases.coordination.k8s.io', 'kube-node-lease');
  const first = await leases.get(NODE);
  assert.equal(first.spec?.holderIdentity, NODE);
  await waitFor('lease renewal', async () => (await leases.get(NODE)).spec?.renewTime !== first.spec?.renewTime, 10_000);
});

test('init containers run in order, then containers share localhost and emptyDir volumes', async () => {
  const pod = await env.waitForPod('duo', 'running', isRunning);
  const inits = pod.status?.initContainerStatuses ?? [];
  assert.deepEqual(inits.map((s) => [s.name, s.state?.terminated?.reason]), [['init-1', 'Completed'], ['init-2', 'Completed']]);
  assert.equal(condition(pod, 'Initialized'), 'True');
  const rt = env.runtimeFor(NODE);
  const got = await waitFor('client fetched from web over localhost', async () => {
    const r = await execIn(rt, pod, 'client', ['cat', '/mem/got']);
    return r.code === 0 ? r.out : undefined;
  });
  assert.equal(got, 'one\ntwo\n');
  // medium: Memory is a tmpfs.
  assert.match((await execIn(rt, pod, 'client', ['sh', '-c', 'grep " /mem " /proc/mounts'])).out, /tmpfs/);
  // Hostname is the pod name; /etc/hosts and resolv.conf are the kubelet's.
  assert.equal((await execIn(rt, pod, 'web', ['hostname'])).out.trim(), 'duo');
  assert.match((await execIn(rt, pod, 'web', ['cat', '/etc/hosts'])).out, new RegExp(`${pod.status?.podIP?.replace(/\./g, '\\.')}\\s+duo`));
  // enableServiceLinks: false leaves only the kubernetes Service's variables.
  const envText = (await execIn(rt, pod, 'web', ['env'])).out;
  assert.match(envText, /^KUBERNETES_SERVICE_HOST=/m);
  assert.doesNotMatch(envText, /^APP_DB_/m);
  const resolv = (await execIn(rt, pod, 'web', ['cat', '/etc/resolv.conf'])).out;
  assert.match(resolv, /nameserver 10\.96\.0\.10/);
  assert.match(resolv, /search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
  assert.match(resolv, /options ndots:5/);
});

test("what a trace reads: upstream's Pulled, Created and Started per container, and every pod condition's lastTransitionTime", async () => {
  const pod = await env.waitForPod('duo', 'ready', (p) => isRunning(p) && condition(p, 'Ready') === 'True');
  for (const type of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) {
    const c = pod.status?.conditions?.find((x) => x.type === type);
    assert.equal(c?.status, 'True', type);
    assert.ok(c?.lastTransitionTime && !Number.isNaN(Date.parse(c.lastTransitionTime)), `${type} has a lastTransitionTime`);
  }
  const events = await waitFor('the kubelet events of every container', async () => {
    const items = (await env.client.resource('events', 'default').list({ fieldSelector: 'involvedObject.name=duo' })).items;
    const started = items.filter((e) => e.reason === 'Started').map((e) => e.involvedObject.fieldPath).sort();
    return started.length === 4 ? items : undefined;
  });
  for (const reason of ['Pulled', 'Created', 'Started']) {
    const paths = events.filter((e) => e.reason === reason).map((e) => e.involvedObject.fieldPath).sort();
    assert.deepEqual(paths, ['spec.containers{client}', 'spec.containers{web}', 'spec.initContainers{init-1}', 'spec.initContainers{init-2}'], reason);
  }
  for (const e of events) {
    assert.equal(e.source?.component, 'kubelet');
    assert.equal(e.source?.host, NODE);
    assert.equal(e.involvedObject.uid, pod.metadata?.uid);
  }
});

test('configMap and secret reach the container as env and files, and files refresh', async () => {
  const pod = await env.waitForPod('cfg', 'running', isRunning);
  const rt = env.runtimeFor(NODE);
  const envText = (await execIn(rt, pod, 'main', ['env'])).out;
  assert.match(envText, /^GREETING=hello$/m);
  assert.match(envText, /^PASSWORD=s3cret$/m);
  assert.match(envText, /^POD_NAME=cfg$/m);
  assert.match(envText, new RegExp(`^POD_IP=${pod.status?.podIP}$`, 'm'));
  assert.match(envText, /^MEM_LIMIT=64$/m);
  assert.match(envText, /^COMBINED=hello-cfg-\$\(LITERAL\)$/m);
  assert.match(envText, /^CM_color=blue$/m);
  // Service variables: the kubernetes Service and this namespace's Services with a cluster IP.
  assert.match(envText, /^KUBERNETES_SERVICE_HOST=10\.96\.0\.1$/m);
  assert.match(envText, /^KUBERNETES_SERVICE_PORT=443$/m);
  assert.match(envText, new RegExp(`^APP_DB_SERVICE_HOST=${appDbIP}$`, 'm'));
  assert.match(envText, /^APP_DB_SERVICE_PORT=5432$/m);
  assert.match(envText, /^APP_DB_SERVICE_PORT_DNS=53$/m);
  assert.match(envText, new RegExp(`^APP_DB_PORT=tcp://${appDbIP}:5432$`, 'm'));
  assert.match(envText, new RegExp(`^APP_DB_PORT_53_UDP=udp://${appDbIP}:53$`, 'm'));
  assert.match(envText, /^APP_DB_PORT_5432_TCP_PORT=5432$/m);
  assert.match(envText, new RegExp(`^DB_URL=pg://${appDbIP}:5432$`, 'm'), 'service variables expand in env values');
  assert.doesNotMatch(envText, /^HEADLESS_/m, 'a headless service has no variables');
  assert.equal((await execIn(rt, pod, 'main', ['cat', '/tmp/cmd'])).out, 'hello from cfg\n');
  assert.equal((await execIn(rt, pod, 'main', ['cat', '/etc/conf/greeting'])).out, 'hello');
  assert.equal((await execIn(rt, pod, 'main', ['cat', '/etc/creds/password'])).out, 's3cret');
  assert.equal((await execIn(rt, pod, 'main', ['cat', '/etc/greeting'])).out, 'hello');
  assert.equal((await execIn(rt, pod, 'main', ['cat', '/etc/info/labels'])).out, 'app="cfg"');
  assert.match((await execIn(rt, pod, 'main', ['sh', '-c', 'grep " /etc/creds " /proc/mounts'])).out, /tmpfs/);
  // Volumes are read-only to the container.
  assert.notEqual((await execIn(rt, pod, 'main', ['sh', '-c', 'echo x > /etc/conf/new'])).code, 0);

  await env.client.resource('configmaps', 'default').patch('app-config', 'merge', { data: { greeting: 'bonjour' } });
  await env.client.resource('secrets', 'default').patch('app-secret', 'merge', { data: { password: Buffer.from('n3w').toString('base64') } });
  await waitFor('configMap file refreshed', async () => (await execIn(rt, pod, 'main', ['cat', '/etc/conf/greeting'])).out === 'bonjour');
  await waitFor('secret file refreshed', async () => (await execIn(rt, pod, 'main', ['cat', '/etc/creds/password'])).out === 'n3w');
  // The ..data symlink swap: the file is reached through ..data.
  assert.match((await execIn(rt, pod, 'main', ['readlink', '/etc/conf/greeting'])).out, /^\.\.data\/greeting/);
});

test('a readiness probe drives the Ready condition', async () => {
  let pod = await env.waitForPod('ready', 'running', isRunning);
  assert.equal(condition(pod, 'Ready'), 'False');
  assert.equal(containerStatus(pod)?.ready, false);
  await execIn(env.runtimeFor(NODE), pod, 'main', ['touch', '/tmp/ready']);
  pod = await env.waitForPod('ready', 'Ready', (p) => condition(p, 'Ready') === 'True');
  assert.equal(containerStatus(pod)?.ready, true);
  assert.equal(condition(pod, 'ContainersReady'), 'True');
  await execIn(env.runtimeFor(NODE), pod, 'main', ['rm', '/tmp/ready']);
  await env.waitForPod('ready', 'not Ready again', (p) => condition(p, 'Ready') === 'False');
});

test('a failing liveness probe restarts the container', async () => {
  // The first instance serves /healthy for a while, then the file goes; the restarted one never has it.
  const first = await env.waitForPod('live', 'running', isRunning);
  await execIn(env.runtimeFor(NODE), first, 'main', ['rm', '/tmp/healthy']);
  const pod = await env.waitForPod('live', 'restarted', (p) => (containerStatus(p)?.restartCount ?? 0) >= 1);
  assert.ok(containerStatus(pod)?.lastState?.terminated, 'lastState shows the killed container');
  const events = await env.client.resource('events', 'default').list({ fieldSelector: 'involvedObject.name=live' });
  const reasons = new Set(events.items.map((e) => e.reason));
  assert.ok(reasons.has('Unhealthy'), `events: ${[...reasons].join(',')}`);
  assert.ok(reasons.has('Killing'));
  const unhealthy = events.items.filter((e) => e.reason === 'Unhealthy').map((e) => e.message);
  assert.ok(unhealthy.some((m) => /^Liveness probe failed: HTTP probe failed with statuscode: 404/.test(m ?? '')), `Unhealthy events: ${unhealthy.join(' | ')}`);
});

test('a crashing container goes into CrashLoopBackOff with a growing backoff', async () => {
  const pod = await env.waitForPod('crash', 'three restarts', (p) => (containerStatus(p)?.restartCount ?? 0) >= 3, 60_000);
  assert.equal(pod.status?.phase, 'Running');
  const seen = (history.get('crash') ?? [])
    .map((p) => containerStatus(p)?.state?.waiting)
    .filter((w) => w?.reason === 'CrashLoopBackOff')
    .map((w) => /^back-off (\S+) restarting failed container=main pod=crash_default/.exec(w?.message ?? '')?.[1]);
  const distinct = seen.filter((v, i) => v !== seen[i - 1]);
  // 1s, 2s, 4s, 8s (the test's cap): a loaded host may never write a short-lived waiting state
  // (the status manager keeps the latest), so some may be missing; what is seen must grow in
  // powers of two from at most 2s.
  const secs = distinct.map((v) => Number(/^(\d+)s$/.exec(v ?? '')?.[1]));
  assert.ok(secs.length >= 2 && secs[0]! <= 2, `backoffs seen: ${distinct.join(',')}`);
  for (let i = 0; i < secs.length; i++) {
    assert.ok([1, 2, 4, 8].includes(secs[i]!) && (i === 0 || secs[i]! > secs[i - 1]!), `backoffs seen: ${distinct.join(',')}`);
  }
  const last = containerStatus(pod)?.lastState?.terminated;
  assert.equal(last?.exitCode, 3);
  assert.equal(last?.reason, 'Error');
  const events = await env.client.resource('events', 'default').list({ fieldSelector: 'involvedObject.name=crash' });
  assert.ok(events.items.some((e) => e.reason === 'BackOff'));
});

test('a missing image is ErrImagePull, then ImagePullBackOff', async () => {
  await env.waitForPod('missing-image', 'ImagePullBackOff', (p) => containerStatus(p)?.state?.waiting?.reason === 'ImagePullBackOff');
  const reasons = (history.get('missing-image') ?? []).map((p) => containerStatus(p)?.state?.waiting?.reason).filter(Boolean);
  assert.ok(reasons.includes('ErrImagePull'), `reasons: ${reasons.join(',')}`);
  const pod = await env.getPod('missing-image');
  assert.equal(pod.status?.phase, 'Pending');
  const events = await env.client.resource('events', 'default').list({ fieldSelector: 'involvedObject.name=missing-image' });
  assert.ok(events.items.some((e) => e.reason === 'Failed' && /Failed to pull image/.test(e.message ?? '')));
});

test('restartPolicy Never: a finished pod Succeeds, a failed init container fails the pod', async () => {
  const done = await env.waitForPod('done', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
  assert.equal(containerStatus(done)?.state?.terminated?.reason, 'Completed');
  assert.equal(condition(done, 'Ready'), 'False');
  const failed = await env.waitForPod('fail-init', 'Failed', (p) => p.status?.phase === 'Failed');
  assert.equal(failed.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode, 7);
  assert.equal(containerStatus(failed)?.state?.waiting?.reason, 'PodInitializing');
});

test('a container over its memory limit is OOMKilled', async () => {
  const pod = await env.waitForPod('oom', 'Failed with OOMKilled', (p) => p.status?.phase === 'Failed' && containerStatus(p)?.state?.terminated?.reason === 'OOMKilled', 45_000);
  const t = containerStatus(pod)?.state?.terminated;
  assert.equal(t?.reason, 'OOMKilled');
  assert.equal(t?.exitCode, 137);
});

test('securityContext (user, group, read-only root) and a PVC bound to a hostPath PV', async () => {
  const pod = await env.waitForPod('secure', 'running', isRunning);
  const rt = env.runtimeFor(NODE);
  assert.equal((await execIn(rt, pod, 'main', ['id', '-u'])).out.trim(), '1000');
  assert.equal((await execIn(rt, pod, 'main', ['id', '-g'])).out.trim(), '2000');
  assert.notEqual((await execIn(rt, pod, 'main', ['touch', '/root-is-read-only'])).code, 0);
  const { readFile } = await import('node:fs/promises');
  const uid = await waitFor('file written through the claim', () => readFile(`${env.rootDir}/pv-data/uid`, 'utf8').catch(() => undefined));
  assert.equal(uid.trim(), '1000');
});

test('pods the kubelet cannot run are rejected with phase Failed and a reason', async () => {
  const nfs = await env.waitForPod('nfs', 'rejected', (p) => p.status?.phase === 'Failed');
  assert.equal(nfs.status?.reason, 'UnsupportedVolume');
  const hp = await env.waitForPod('hostport-2', 'rejected', (p) => p.status?.phase === 'Failed');
  assert.equal(hp.status?.reason, 'NodePorts');
  assert.equal((await env.getPod('hostport-1')).status?.phase, 'Running');
});

test('graceful delete stops the containers, removes them and deletes the pod object', async () => {
  const pod = await env.createPod(NODE, {
    metadata: { name: 'term' },
    spec: {
      terminationGracePeriodSeconds: 10,
      volumes: [{ name: 'out', hostPath: { path: `${env.rootDir}/term-out`, type: 'DirectoryOrCreate' } }],
      containers: [
        {
          name: 'main',
          image: BUSYBOX,
          command: ['sh', '-c', "trap 'echo got-term >> /out/log; exit 0' TERM; while true; do sleep 0.1; done"],
          volumeMounts: [{ name: 'out', mountPath: '/out' }],
          lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo pre-stop >> /out/log'] } } },
        },
      ],
    },
  });
  await env.waitForPod('term', 'running', isRunning);
  // Watch from before the delete: the terminal phase is written just before the object goes.
  const w = await env.client.resource('pods', 'default').watch({ fieldSelector: 'metadata.name=term' });
  const phases: string[] = [];
  const watching = (async () => {
    for await (const ev of w) {
      if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') continue;
      phases.push(`${ev.type} ${ev.object.status?.phase ?? ''}`);
      if (ev.type === 'DELETED') break;
    }
  })().catch(() => undefined);
  await env.client.resource('pods', 'default').delete('term');
  await waitFor('pod object deleted', async () => {
    try {
      await env.getPod('term');
      return false;
    } catch {
      return true;
    }
  });
  await waitFor('the watch saw the deletion', () => phases.some((p) => p.startsWith('DELETED')), 10_000);
  w.close();
  await watching;
  // The container exited 0 on SIGTERM: the pod ends Succeeded (Failed had it been killed), as the kubelet does since 1.27.
  assert.equal(phases.at(-1), 'DELETED Succeeded', phases.join(', '));
  const rt = env.runtimeFor(NODE);
  const left = await rt.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': pod.metadata?.uid ?? '' } });
  const sandboxes = await rt.listPodSandboxes({ labelSelector: { 'io.kubernetes.pod.uid': pod.metadata?.uid ?? '' } });
  assert.equal(left.length + sandboxes.length, 0);
  const { readFile } = await import('node:fs/promises');
  assert.equal(await readFile(`${env.rootDir}/term-out/log`, 'utf8'), 'pre-stop\ngot-term\n');
  const events = await env.client.resource('events', 'default').list({ fieldSelector: 'involvedObject.name=term' });
  assert.ok(events.items.some((e) => e.reason === 'Killing'));
});

test('metrics: pod start latency, runtime operations and running pods', async () => {
  const k = env.kubelets.get(NODE);
  assert.ok(k);
  const text = await k.registry.metrics();
  assert.match(text, /kubelet_pod_start_duration_seconds_count [1-9]/);
  assert.match(text, /kubelet_runtime_operations_duration_seconds_count\{operation_type="runPodSandbox"\} [1-9]/);
  assert.match(text, /kubelet_running_pods [1-9]/);
});
