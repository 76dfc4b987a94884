# shellcheck shell=bash
# The highly available control plane of `scripts/up --ha`, sourced by scripts/up (which defines
# STATE, LOGS, PKI, KCS, PORT, fail, start, readyz, apiserver_flags and controller_manager_flags):
#   etcd-1..3            one etcd cluster of three members (static bootstrap, --initial-cluster)
#   apiserver-1..2       each with its own watch cache, all three etcd endpoints
#   haproxy              Debian's HAProxy in TCP mode on $PORT, health-checking /readyz
# as kubeadm's HA guide ("Options for Software Load Balancing") lays it out on one host.

ETCD_PORTS=(${TSKUBE_ETCD_PORTS:-2379 2479 2579})
ETCD_PEER_PORTS=(${TSKUBE_ETCD_PEER_PORTS:-2380 2480 2580})
APISERVER_PORTS=(${TSKUBE_APISERVER_PORTS:-6441 6442})
[ "${#ETCD_PORTS[@]}" = 3 ] && [ "${#ETCD_PEER_PORTS[@]}" = 3 ] || fail "TSKUBE_ETCD_PORTS and TSKUBE_ETCD_PEER_PORTS want three ports each"
CM_PORTS=(${TSKUBE_CM_PORTS:-10257 10267})
SCHED_PORTS=(${TSKUBE_SCHED_PORTS:-10259 10269})
[ "${#APISERVER_PORTS[@]}" = 2 ] || fail "TSKUBE_APISERVER_PORTS wants two ports"
[ "${#CM_PORTS[@]}" = 2 ] && [ "${#SCHED_PORTS[@]}" = 2 ] || fail "TSKUBE_CM_PORTS and TSKUBE_SCHED_PORTS want two ports each"

# until_ready SECONDS COMMAND…: runs COMMAND every 0.2 s until it succeeds or the time is up.
# Generous: on a loaded machine a restarted apiserver takes a while to fill its watch caches.
until_ready() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ "$SECONDS" -lt "$deadline" ] || return 1; sleep 0.2; done
}
etcd_healthy() { curl -sf --max-time 2 "http://127.0.0.1:$1/health" >/dev/null; }

etcd_client_urls() { local p out=(); for p in "${ETCD_PORTS[@]}"; do out+=("http://127.0.0.1:$p"); done; (IFS=,; echo "${out[*]}"); }

ha_etcd() {
  local i n initial=()
  for i in 0 1 2; do initial+=("etcd-$((i + 1))=http://127.0.0.1:${ETCD_PEER_PORTS[$i]}"); done
  # --initial-cluster* only matter on a member's first start; afterwards its data dir says
  # who the members are, so a restarted member simply rejoins.
  for i in 0 1 2; do
    n=etcd-$((i + 1))
    start "$n" etcd --name "$n" --data-dir "$STATE/$n" \
      --listen-client-urls "http://127.0.0.1:${ETCD_PORTS[$i]}" --advertise-client-urls "http://127.0.0.1:${ETCD_PORTS[$i]}" \
      --listen-peer-urls "http://127.0.0.1:${ETCD_PEER_PORTS[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER_PORTS[$i]}" \
      --initial-cluster "$(IFS=,; echo "${initial[*]}")" --initial-cluster-state new --initial-cluster-token tskube-ha \
      --log-level warn --snapshot-count 10000
  done
  # /health is true on a member once the cluster has a leader (a quorum of members).
  for i in 0 1 2; do
    until_ready 60 etcd_healthy "${ETCD_PORTS[$i]}" || fail "etcd-$((i + 1)) did not become healthy; see $LOGS/etcd-$((i + 1)).log"
  done
}

ha_apiservers() {
  local i n
  for i in 0 1; do
    n=apiserver-$((i + 1))
    start "$n" node dist/apiserver/main.js --etcd-servers "$(etcd_client_urls)" --secure-port "${APISERVER_PORTS[$i]}" \
      "${apiserver_flags[@]}" --audit-log-path "$LOGS/audit-$n.log"
  done
  for i in 0 1; do
    n=apiserver-$((i + 1))
    wait_apiserver "${APISERVER_PORTS[$i]}" "$n" 120
  done
}

# haproxy.cfg: TCP passthrough (TLS ends at the apiservers, so client certificates still
# authenticate), servers checked with GET /readyz over TLS against the cluster CA (open to
# anonymous). A server that fails two checks is taken out and its sessions are cut, so
# watchers reconnect to the other one; a failed connect is retried at once on the other server.
# `timeout tunnel` covers long watches, which may be quiet for minutes.
ha_haproxy_cfg() {
  local i
  cat <<CFG
# Written by scripts/up --ha; rewritten on every run.
global
    log stdout format raw local0 info
    maxconn 4000

defaults
    log global
    mode tcp
    option tcplog
    option dontlognull
    retries 3
    option redispatch 1
    timeout connect 3s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
    timeout check 2s

frontend kube-apiserver
    bind *:$PORT
    mode tcp
    default_backend kube-apiservers

backend kube-apiservers
    mode tcp
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
CFG
  for i in 0 1; do
    printf '    server apiserver-%d 127.0.0.1:%s check check-ssl verify required ca-file %s\n' $((i + 1)) "${APISERVER_PORTS[$i]}" "$PKI/ca.crt"
  done
  # When no apiserver is ready (etcd without quorum, caches resyncing), clients still reach
  # one, which answers with a Status (503 for writes; reads from its cache) rather than a
  # connection HAProxy closes for want of a server. Backups serve only while every checked
  # server is down.
  printf '    option allbackups\n'
  for i in 0 1; do
    printf '    server apiserver-%d-unready 127.0.0.1:%s backup\n' $((i + 1)) "${APISERVER_PORTS[$i]}"
  done
  if [ -n "${TSKUBE_HAPROXY_STATS_PORT:-}" ]; then
    printf '\nfrontend stats\n    mode http\n    bind 127.0.0.1:%s\n    stats enable\n    stats uri /stats\n    stats refresh 5s\n' "$TSKUBE_HAPROXY_STATS_PORT"
  fi
}

ha_haproxy() {
  command -v haproxy >/dev/null || fail "haproxy is not installed (scripts/ensure-deps installs Debian's haproxy)"
  ha_haproxy_cfg >"$STATE/haproxy.cfg"
  haproxy -c -q -f "$STATE/haproxy.cfg" >"$LOGS/haproxy-check.log" 2>&1 || { cat "$LOGS/haproxy-check.log" >&2; fail "haproxy rejected $STATE/haproxy.cfg"; }
  rm -f "$LOGS/haproxy-check.log"
  # -db: foreground, no fork, so the pid file holds HAProxy's own pid.
  start haproxy haproxy -db -f "$STATE/haproxy.cfg"
  until_ready 30 readyz "$PORT" || fail "no apiserver answers through haproxy on $PORT; see $LOGS/haproxy.log"
}

ha_control_plane() {
  ha_etcd
  ha_apiservers
  ha_haproxy
}

# Two of each, leader-elected on the Leases kube-system/kube-scheduler and
# kube-controller-manager (their --leader-elect default is true; said here for the reader).
ha_controllers() {
  local i
  for i in 0 1; do
    start "controller-manager-$((i + 1))" node dist/controller-manager/main.js --kubeconfig "$KCS/kube-controller-manager.kubeconfig" \
      --secure-port "${CM_PORTS[$i]}" --leader-elect "${controller_manager_flags[@]}"
    start "scheduler-$((i + 1))" node dist/scheduler/main.js --kubeconfig "$KCS/kube-scheduler.kubeconfig" \
      --secure-port "${SCHED_PORTS[$i]}" --leader-elect
  done
}
