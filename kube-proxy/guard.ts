// The service-range guard: a packet for a service IP that no rule translated must never leave
// the host. Measured on this host (HOST-NOTES.md): a blackhole route breaks host-originated
// DNAT (the route is looked up before nat OUTPUT), so the range is routed to a bridge without
// ports, and REJECT rules in filter OUTPUT and DOCKER-USER (Docker keeps its own FORWARD jumps
// above ours) answer anything that reaches them untranslated. Set up before the first service
// rule; removed by --cleanup.
import { mustRun, type CommandRunner } from './exec.js';
import type { JumpRule } from './iptables/rules.js';

export const GUARD_CHAIN = 'KUBE-PROXY-GUARD';
export const GUARD_BRIDGE = 'kube-svc0';

export function guardRules(serviceCIDR: string): string[] {
  return [`-A ${GUARD_CHAIN} -d ${serviceCIDR} -m comment --comment "service IP without a rule" -j REJECT --reject-with icmp-port-unreachable`];
}

/** OUTPUT for the host's own traffic; DOCKER-USER (or FORWARD without Docker) for pods'. */
export function guardJumps(hasDockerUser: boolean): JumpRule[] {
  const args = ['-m', 'comment', '--comment', 'kubernetes service range guard', '-j', GUARD_CHAIN];
  return [
    { table: 'filter', chain: 'OUTPUT', args },
    { table: 'filter', chain: hasDockerUser ? 'DOCKER-USER' : 'FORWARD', args },
  ];
}

export async function chainExists(run: CommandRunner, table: string, chain: string): Promise<boolean> {
  return (await run('iptables', ['-w', '5', '-t', table, '-S', chain, '1'])).code === 0;
}

/** Inserts each jump at the top of its chain unless it is already there somewhere. */
export async function ensureJumps(run: CommandRunner, jumps: readonly JumpRule[]): Promise<void> {
  for (const j of jumps) {
    if ((await run('iptables', ['-w', '5', '-t', j.table, '-C', j.chain, ...j.args])).code === 0) continue;
    await mustRun(run, 'iptables', ['-w', '5', '-t', j.table, '-I', j.chain, '1', ...j.args]);
  }
}

export async function ensureGuard(run: CommandRunner, serviceCIDR: string): Promise<void> {
  if ((await run('ip', ['link', 'show', GUARD_BRIDGE])).code !== 0) {
    const add = await run('ip', ['link', 'add', GUARD_BRIDGE, 'type', 'bridge']);
    // Another kube-proxy on this host may have made it meanwhile.
    if (add.code !== 0 && (await run('ip', ['link', 'show', GUARD_BRIDGE])).code !== 0) throw new Error(`ip link add ${GUARD_BRIDGE}: ${add.stderr.trim()}`);
  }
  await mustRun(run, 'ip', ['link', 'set', GUARD_BRIDGE, 'up']);
  await mustRun(run, 'ip', ['route', 'replace', serviceCIDR, 'dev', GUARD_BRIDGE]);
  await mustRun(run, 'iptables-restore', ['-w', '5', '--noflush'], ['*filter', `:${GUARD_CHAIN} - [0:0]`, ...guardRules(serviceCIDR), 'COMMIT', ''].join('\n'));
  await ensureJumps(run, guardJumps(await chainExists(run, 'filter', 'DOCKER-USER')));
}

/** Removes the bridge (and so its route); the chain goes with the other KUBE- chains. */
export async function removeGuardBridge(run: CommandRunner): Promise<void> {
  if ((await run('ip', ['link', 'show', GUARD_BRIDGE])).code === 0) await mustRun(run, 'ip', ['link', 'del', GUARD_BRIDGE]);
}
