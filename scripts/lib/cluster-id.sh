# shellcheck shell=bash
# A cluster's identity on a shared Docker Engine, sourced by scripts/up, scripts/down,
# scripts/compose-up and scripts/compose-down. Every tskube cluster names its nodes node-1 and
# node-2, so the kubelets label pod containers with io.tskube.cluster-id as well
# (--runtime-cluster-id) and these scripts remove only their own cluster's containers.

CLUSTER_ID_LABEL=io.tskube.cluster-id

valid_cluster_id() { [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$ ]]; }

# ensure_cluster_id STATE: the id in $STATE/cluster-id, made once (TSKUBE_CLUSTER_ID chooses it,
# else 12 random hex digits). Once made it never changes: the cluster's pods carry it.
ensure_cluster_id() {
  local f="$1/cluster-id" id
  if [ ! -s "$f" ]; then
    id="${TSKUBE_CLUSTER_ID:-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')}"
    valid_cluster_id "$id" || { echo "error: TSKUBE_CLUSTER_ID=$id: want letters, digits, '_', '.', '-' (at most 63)" >&2; return 1; }
    mkdir -p "$1" && printf '%s\n' "$id" >"$f"
  fi
  cat "$f"
}

# cluster_pod_containers DOCKER ID: the ids of the pod containers labelled with cluster ID.
cluster_pod_containers() { "$1" ps -aq --filter "label=$CLUSTER_ID_LABEL=$2"; }

# unscoped_pod_containers DOCKER: node-1/node-2 pod containers with no cluster id at all — made
# by kubelets from before cluster ids (a cluster whose state directory has no cluster-id file).
# Docker cannot filter on a label's absence, so the label is read back and checked here.
unscoped_pod_containers() {
  local n
  for n in node-1 node-2; do
    "$1" ps -a --filter "label=io.tskube.node.name=$n" --format "{{.ID}} {{.Label \"$CLUSTER_ID_LABEL\"}}"
  done | awk 'NF == 1 { print $1 }'
}
