#!/bin/bash
# node-cni: the pod network of the project's offline-built kind node image (a stand-in for kind's
# kindnetd, whose Go module no registry here serves). One pod per node (a DaemonSet, host network):
#   - writes this node's CNI config: ptp veths + host-local addresses from the node's spec.podCIDR +
#     portmap, with the Debian CNI plugins that the node image carries;
#   - routes every other node's podCIDR through that node's InternalIP (multi-node clusters);
#   - masquerades pod traffic leaving the pod network.
# It re-applies all of it on every Node event, from a watch on the API server (no polling).
set -euo pipefail
: "${NODE_NAME:?}" "${POD_SUBNET:?}"
SA=/var/run/secrets/kubernetes.io/serviceaccount
CONF=/etc/cni/net.d/10-autopilot-k8s.conflist
log() { echo "$(date -u +%FT%TZ) $*" >&2; }

# kind passes the control plane's own address (CONTROL_PLANE_ENDPOINT): the Service IP of the API
# server needs kube-proxy, which may not be up yet.
kc() {
  local server=${CONTROL_PLANE_ENDPOINT:+https://$CONTROL_PLANE_ENDPOINT}
  kubectl --server="${server:-https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT}" \
    --certificate-authority="$SA/ca.crt" --token="$(cat "$SA/token")" "$@"
}

write_conf() { # write_conf POD_CIDR
  local mtu dev tmp
  dev=$(ip -4 route show default | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -1)
  mtu=$(cat "/sys/class/net/${dev:-eth0}/mtu" 2>/dev/null || echo 1500)
  tmp=$(mktemp "$CONF.XXXX")
  cat > "$tmp" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "autopilot-k8s",
  "plugins": [
    {
      "type": "ptp",
      "ipMasq": false,
      "mtu": $mtu,
      "ipam": {
        "type": "host-local",
        "dataDir": "/run/cni-ipam-state",
        "routes": [{ "dst": "0.0.0.0/0" }],
        "ranges": [[{ "subnet": "$1" }]]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
  if cmp -s "$tmp" "$CONF"; then rm -f "$tmp"; return; fi
  mv "$tmp" "$CONF"
  log "CNI config written for $1 (mtu $mtu)"
}

masquerade() {
  local rule=(-s "$POD_SUBNET" ! -d "$POD_SUBNET" -m addrtype ! --dst-type LOCAL -j MASQUERADE)
  iptables -t nat -C POSTROUTING "${rule[@]}" 2>/dev/null || iptables -t nat -A POSTROUTING "${rule[@]}"
}

on_node() { # on_node NAME POD_CIDR INTERNAL_IP
  local name=$1 cidr=${2:-} ip=${3:-}
  [ -n "$cidr" ] || return 0
  if [ "$name" = "$NODE_NAME" ]; then
    write_conf "$cidr"
  elif [ -n "$ip" ]; then
    ip route replace "$cidr" via "$ip" && log "route $cidr via $ip ($name)"
  fi
}

masquerade
fmt='{.metadata.name}{" "}{.spec.podCIDR}{" "}{.status.addresses[?(@.type=="InternalIP")].address}{"\n"}'
while true; do
  # --watch lists every node first, then streams changes; a closed watch starts over.
  kc get nodes --watch -o jsonpath="$fmt" | while read -r n c i; do on_node "$n" "$c" "$i"; done || log "node watch ended"
  masquerade
  sleep 1 # not a busy loop while the API server is away
done
