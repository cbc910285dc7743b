# shellcheck shell=bash
# The local single-node cluster: upstream Kubernetes built from its Go module, etcd, the node's own
# containerd + runc + CNI plugins, CoreDNS; every process runs inside the network namespace $NETNS.
# Sourced by up.sh and down.sh (needs common.sh); defines local_up and local_down.

LOCAL_STEPS=11

# ---- Host prerequisites ---------------------------------------------------------------------------
local_prereqs() {
  [ "$(id -u)" = 0 ] || die "the local cluster needs root (network namespace, mounts, cgroups)"
  apt_install containerd runc containernetworking-plugins iptables conntrack socat openssl \
    util-linux iproute2 kmod procps
  [ -x "$CNI_BIN_DIR/bridge" ] || die "CNI plugins not found in $CNI_BIN_DIR"
}

# ---- Binaries and images --------------------------------------------------------------------------
local_binaries() {
  bash "$REPO_ROOT/scripts/cluster/build-k8s.sh" >/dev/null
  bash "$REPO_ROOT/scripts/cluster/build-tools.sh" crictl >/dev/null
  bash "$REPO_ROOT/scripts/cluster/build-tools.sh" coredns >/dev/null
}

# The cluster's own images (pause, CoreDNS) into the node's containerd; skipped when present, so a
# warm start needs no Docker at all.
node_has_image() { ctr_ images ls -q 2>/dev/null | grep -qx "$1"; }
local_cluster_images() {
  local need=()
  node_has_image "$(image_ref "$PAUSE_IMAGE")" || need+=(pause)
  node_has_image "$(image_ref "$COREDNS_IMAGE")" || need+=(coredns)
  [ ${#need[@]} -eq 0 ] && return 0
  bash "$REPO_ROOT/scripts/base-image.sh" base pause
  if ! engine image inspect "$COREDNS_IMAGE" >/dev/null 2>&1; then
    local ctx="$CACHE_DIR/images/coredns-ctx"
    mkdir -p "$ctx"
    cp "$CACHE_DIR/tools/coredns/$COREDNS_VERSION/coredns" "$ctx/coredns"
    cp "$REPO_ROOT/docker/base/coredns.Dockerfile" "$ctx/Dockerfile"
    log "docker build $COREDNS_IMAGE"
    mkdir -p "$CLUSTER_LOGS"
    engine build -t "$COREDNS_IMAGE" "$ctx" > "$CLUSTER_LOGS/docker-build-coredns.log" 2>&1 \
      || { tail -20 "$CLUSTER_LOGS/docker-build-coredns.log" >&2; die "docker build $COREDNS_IMAGE failed"; }
  fi
  log "loading $PAUSE_IMAGE and $COREDNS_IMAGE into the node's containerd"
  engine save -m --format docker-archive "$PAUSE_IMAGE" "$COREDNS_IMAGE" | ctr_ images import --no-unpack - >/dev/null
  # podman saves a local image as localhost/NAME; the manifests say NAME
  ctr_ images tag --force "localhost/$COREDNS_IMAGE" "$(image_ref "$COREDNS_IMAGE")" >/dev/null 2>&1 || true
}

# ---- Network namespace ----------------------------------------------------------------------------
local_netns() {
  mkdir -p "$CLUSTER_RUN"
  if [ ! -e "$NETNS_PATH" ]; then
    # iproute2 turns /run/netns into a shared bind mount the first time; remember whether we did.
    mountpoint -q /run/netns 2>/dev/null || touch "$CLUSTER_RUN/created-run-netns-mount"
    ip netns add "$NETNS"
  fi
  in_netns ip link set lo up
  if ! in_netns ip link show "$NODE_IF" >/dev/null 2>&1; then
    # Both ends stay in the namespace: the node's address needs an interface (no dummy module here).
    in_netns ip link add "$NODE_IF" type veth peer name "$NODE_IF-peer"
    in_netns ip link set "$NODE_IF-peer" up
    in_netns ip addr add "$NODE_IP/$NODE_PREFIX" dev "$NODE_IF"
    in_netns ip link set "$NODE_IF" up
  fi
  # Locally originated connections to Service IPs need a route before kube-proxy's DNAT applies.
  in_netns ip route replace "$SERVICE_CIDR" dev "$NODE_IF" src "$NODE_IP"
  # The bridge-nf sysctls exist only once br_netfilter is loaded (built in on some kernels).
  [ -d /proc/sys/net/bridge ] || modprobe br_netfilter
  in_netns sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 \
    net.bridge.bridge-nf-call-ip6tables=1 net.ipv4.conf.all.route_localnet=1 \
    net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
}

# ---- Configuration files --------------------------------------------------------------------------
local_configs() {
  NODE_NAME=$NODE_NAME NODE_IP=$NODE_IP API_SERVICE_IP=$API_SERVICE_IP CLUSTER_DOMAIN=$CLUSTER_DOMAIN \
    bash "$REPO_ROOT/scripts/cluster/pki.sh" local "$PKI" "https://127.0.0.1:$API_PORT"
  local cfg="$CLUSTER_DIR/config"
  mkdir -p "$cfg" "$CLUSTER_DIR/cni/net.d" "$CLUSTER_DIR/cni/ipam" "$CONTAINERD_ROOT" "$NODE_RUN/containerd"

  cat > "$cfg/containerd.toml" <<EOF
# The node's own containerd (not dockerd's): its socket, state and runc root are under $NODE_RUN.
version = 2
root = "$CONTAINERD_ROOT"
state = "$NODE_RUN/containerd/state"
oom_score = 0
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CACHE_DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # The sandbox withholds CAP_SYS_RESOURCE: negative oom_score_adj values are clamped to ours (0).
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$NODE_RUN/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$CLUSTER_DIR/cni/net.d"
    max_conf_num = 1
EOF

  cat > "$CLUSTER_DIR/cni/net.d/10-$CNI_NET_NAME.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "$CNI_NET_NAME",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$NODE_POD_CIDR" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$CLUSTER_DIR/cni/ipam"
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF

  # Pods get the cluster DNS only; there is no upstream resolver inside the namespace.
  printf '# the autopilot-k8s node has no upstream DNS\noptions ndots:5\n' > "$cfg/resolv.conf"

  cat > "$cfg/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 0.0.0.0
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$PKI/ca.crt"}
authorization: {mode: Webhook}
tlsCertFile: "$PKI/kubelet-server.crt"
tlsPrivateKeyFile: "$PKI/kubelet-server.key"
containerRuntimeEndpoint: "unix://$CONTAINERD_SOCK"
cgroupDriver: cgroupfs
clusterDNS: ["$DNS_SERVICE_IP"]
clusterDomain: "$CLUSTER_DOMAIN"
resolvConf: "$cfg/resolv.conf"
podLogsDir: "$CLUSTER_DIR/pod-logs"
# CAP_SYS_RESOURCE is withheld here: no negative oom_score_adj for the kubelet itself.
oomScoreAdj: 0
failSwapOn: false
# Locally imported images cannot be pulled again: never garbage-collect them for disk space.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", nodefs.inodesFree: "1%", imagefs.available: "1%"}
shutdownGracePeriod: 0s
serializeImagePulls: false
rotateCertificates: false
maxPods: 110
EOF

  cat > "$cfg/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "$PKI/kube-proxy.kubeconfig"}
hostnameOverride: $NODE_NAME
mode: iptables
clusterCIDR: $POD_CIDR
bindAddress: 0.0.0.0
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
oomScoreAdj: 0
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
}

# ---- Processes ------------------------------------------------------------------------------------
in_kubectl() { in_netns "$K8S_BIN/kubectl" --kubeconfig "$PKI/admin-inside.kubeconfig" --request-timeout=5s "$@"; }

start_containerd() {
  start_bg containerd --netns containerd --config "$CLUSTER_DIR/config/containerd.toml"
  wait_for 60 containerd ctr_ version || { check_alive containerd; die "containerd did not answer on $CONTAINERD_SOCK"; }
}

start_etcd() {
  mkdir -p "$CLUSTER_DIR/etcd"
  chmod 700 "$CLUSTER_DIR/etcd"
  # Plain HTTP on the namespace's own loopback: nothing outside the namespace can reach it.
  start_bg etcd --netns "$K8S_BIN/etcd" --name autopilot-node --data-dir "$CLUSTER_DIR/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster autopilot-node=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381 \
    --unsafe-no-fsync --log-level warn
  wait_for 60 etcd in_netns bash -c 'exec 3<>/dev/tcp/127.0.0.1/2381 && printf "GET /health HTTP/1.0\r\n\r\n" >&3 && grep -q "\"health\":\"true\"" <&3' \
    || { check_alive etcd; die "etcd is not healthy"; }
}

start_apiserver() {
  start_bg kube-apiserver --netns "$K8S_BIN/kube-apiserver" \
    --etcd-servers=http://127.0.0.1:2379 \
    --bind-address=0.0.0.0 --secure-port=6443 --advertise-address="$NODE_IP" \
    --service-cluster-ip-range="$SERVICE_CIDR" --service-node-port-range=30000-32767 \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true --anonymous-auth=true \
    --client-ca-file="$PKI/ca.crt" --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
    --service-account-issuer="https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-extra-headers-prefix=X-Remote-Extra- --requestheader-group-headers=X-Remote-Group \
    --requestheader-username-headers=X-Remote-User \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true --profiling=false --v=1
  wait_for 120 kube-apiserver in_kubectl get --raw /readyz || { check_alive kube-apiserver; die "kube-apiserver is not ready"; }
}

# The API server from the host: 127.0.0.1:$API_PORT -> unix socket -> 127.0.0.1:6443 in the namespace.
start_forward() {
  start_bg apiserver-forward-inside --netns socat \
    "UNIX-LISTEN:$NODE_RUN/apiserver.sock,fork,unlink-early,mode=600" TCP:127.0.0.1:6443
  wait_for 10 "the API forward socket" test -S "$NODE_RUN/apiserver.sock" || check_alive apiserver-forward-inside
  if ! running apiserver-forward-host; then
    if ss -Hltn "sport = :$API_PORT" | grep -q .; then
      die "127.0.0.1:$API_PORT is taken by another process; set AUTOPILOT_API_PORT to a free port"
    fi
    start_bg apiserver-forward-host socat \
      "TCP-LISTEN:$API_PORT,bind=127.0.0.1,fork,reuseaddr" "UNIX-CONNECT:$NODE_RUN/apiserver.sock"
  fi
  wait_for 20 "the API server on 127.0.0.1:$API_PORT" \
    "$K8S_BIN/kubectl" --kubeconfig "$PKI/admin.kubeconfig" --request-timeout=5s get --raw /readyz \
    || { check_alive apiserver-forward-host; die "the API server is not reachable on 127.0.0.1:$API_PORT"; }
}

start_controllers() {
  start_bg kube-controller-manager --netns "$K8S_BIN/kube-controller-manager" \
    --kubeconfig="$PKI/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$PKI/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$PKI/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=10257 --leader-elect=false \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --root-ca-file="$PKI/ca.crt" --service-account-private-key-file="$PKI/sa.key" \
    --use-service-account-credentials=true --controllers='*,bootstrapsigner,tokencleaner' \
    --service-cluster-ip-range="$SERVICE_CIDR" --cluster-cidr="$POD_CIDR" --allocate-node-cidrs=false \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" --profiling=false --v=1
  start_bg kube-scheduler --netns "$K8S_BIN/kube-scheduler" \
    --kubeconfig="$PKI/scheduler.kubeconfig" \
    --authentication-kubeconfig="$PKI/scheduler.kubeconfig" --authorization-kubeconfig="$PKI/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=10259 --leader-elect=false --profiling=false --v=1
}

# The kubelet changes three kernel settings on start (vm.overcommit_memory, kernel.panic,
# kernel.panic_on_oops); remember the originals once so that cluster:down restores them.
save_sysctls() {
  [ -f "$CLUSTER_RUN/sysctls.orig" ] && return 0
  sysctl -n vm.overcommit_memory kernel.panic kernel.panic_on_oops \
    | paste -d' ' <(printf '%s\n' vm.overcommit_memory kernel.panic kernel.panic_on_oops) - > "$CLUSTER_RUN/sysctls.orig"
}

start_kubelet() {
  save_sysctls
  mkdir -p "$CLUSTER_DIR/kubelet" "$CLUSTER_DIR/pod-logs"
  start_bg kubelet --netns "$K8S_BIN/kubelet" --config="$CLUSTER_DIR/config/kubelet.yaml" \
    --kubeconfig="$PKI/kubelet.kubeconfig" --root-dir="$CLUSTER_DIR/kubelet" \
    --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --v=1
  start_bg kube-proxy --netns "$K8S_BIN/kube-proxy" --config="$CLUSTER_DIR/config/kube-proxy.yaml" --v=1
  wait_for 120 "node $NODE_NAME to be Ready" \
    bash -c "'$K8S_BIN/kubectl' --kubeconfig '$PKI/admin.kubeconfig' get node '$NODE_NAME' \
      -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True" \
    || { check_alive kubelet; die "node $NODE_NAME did not become Ready (log: $CLUSTER_LOGS/kubelet.log)"; }
}

deploy_coredns() {
  sed -e "s|@COREDNS_IMAGE@|$COREDNS_IMAGE|" -e "s|@DNS_SERVICE_IP@|$DNS_SERVICE_IP|" \
    -e "s|@CLUSTER_DOMAIN@|$CLUSTER_DOMAIN|" "$REPO_ROOT/scripts/cluster/manifests/coredns.yaml" \
    | "$K8S_BIN/kubectl" --kubeconfig "$PKI/admin.kubeconfig" apply -f - >/dev/null
  "$K8S_BIN/kubectl" --kubeconfig "$PKI/admin.kubeconfig" -n kube-system rollout status deployment/coredns --timeout=180s >/dev/null \
    || die "CoreDNS did not become ready (kubectl -n kube-system describe pod -l k8s-app=kube-dns)"
}

# ---- up -------------------------------------------------------------------------------------------
local_is_up() {
  for c in containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy \
    apiserver-forward-inside apiserver-forward-host; do running "$c" || return 1; done
  "$K8S_BIN/kubectl" --kubeconfig "$PKI/admin.kubeconfig" --request-timeout=5s get --raw /readyz >/dev/null 2>&1 &&
    [ "$("$K8S_BIN/kubectl" --kubeconfig "$PKI/admin.kubeconfig" --request-timeout=5s -n kube-system get deployment coredns \
      -o jsonpath='{.status.availableReplicas}' 2>/dev/null)" -ge 1 ] 2>/dev/null
}

local_up() {
  STEP_TOTAL=$LOCAL_STEPS
  if [ -x "$K8S_BIN/kubectl" ] && [ -f "$PKI/admin.kubeconfig" ] && local_is_up; then
    log "the local cluster is already up"
    cp "$PKI/admin.kubeconfig" "$KUBECONFIG_OUT"
    return 0
  fi
  step "host packages (containerd, runc, CNI plugins, iptables, socat)"; local_prereqs
  step "Kubernetes $K8S_VERSION binaries, etcd, crictl, CoreDNS (cached in $CACHE_DIR)"; local_binaries
  step "network namespace $NETNS (node $NODE_IP, pods $POD_CIDR, services $SERVICE_CIDR)"; local_netns
  step "certificates, kubeconfigs and configuration"; local_configs
  step "containerd (socket $CONTAINERD_SOCK)"; start_containerd
  step "cluster images (pause, CoreDNS) in the node's containerd"; local_cluster_images
  step "etcd"; start_etcd
  step "kube-apiserver, reachable from the host at https://127.0.0.1:$API_PORT"; start_apiserver; start_forward
  step "kube-controller-manager and kube-scheduler"; start_controllers
  step "kubelet and kube-proxy; waiting for the node to be Ready"; start_kubelet
  step "CoreDNS"; deploy_coredns
  for c in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do check_alive "$c"; done
  cp "$PKI/admin.kubeconfig" "$KUBECONFIG_OUT"
}

# ---- down -----------------------------------------------------------------------------------------
# Lists the mount points under the cluster's directories, deepest first.
our_mounts() {
  findmnt -rn -o TARGET | sed 's/\\x20/ /g' | grep -E "^($CLUSTER_DIR|$CONTAINERD_ROOT|$NODE_RUN)(/|$)" | sort -r || true
}

# Kills the containerd shims of the node's containerd that outlived it (matched by their -address).
kill_our_shims() {
  local p cmd
  for p in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null) || continue
    case $cmd in *containerd-shim*"-address $CONTAINERD_SOCK "*) kill -KILL "${p#/proc/}" 2>/dev/null || true ;; esac
  done
}

local_down() {
  log "stopping the local cluster"
  stop_bg kubelet
  local netns_paths=()
  if running containerd && [ -x "$TOOLS_BIN/crictl" ]; then
    local pods
    pods=$(crictl_ pods -q 2>/dev/null || true)
    if [ -n "$pods" ]; then
      log "  removing $(wc -w <<<"$pods") pod sandbox(es) through the CRI (runs the CNI teardown)"
      mapfile -t netns_paths < <(for p in $pods; do crictl_ inspectp -o go-template \
        --template '{{range .info.runtimeSpec.linux.namespaces}}{{if eq .type "network"}}{{.path}}{{"\n"}}{{end}}{{end}}' "$p" 2>/dev/null; done)
      # shellcheck disable=SC2086
      crictl_ stopp $pods >/dev/null 2>&1 || true
      # shellcheck disable=SC2086
      crictl_ rmp -f $pods >/dev/null 2>&1 || true
    fi
  fi
  for c in kube-proxy kube-scheduler kube-controller-manager apiserver-forward-host apiserver-forward-inside \
    kube-apiserver etcd containerd; do stop_bg "$c"; done
  kill_our_shims

  local m
  while read -r m; do [ -n "$m" ] && { umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "  could not unmount $m"; }; done < <(our_mounts)
  for m in "${netns_paths[@]}"; do
    [ -n "$m" ] && [ -e "$m" ] && { umount "$m" 2>/dev/null || true; rm -f "$m"; }
  done
  if [ -e "$NETNS_PATH" ]; then
    log "  deleting network namespace $NETNS (its interfaces and iptables rules go with it)"
    ip netns del "$NETNS"
  fi
  if [ -f "$CLUSTER_RUN/created-run-netns-mount" ] && mountpoint -q /run/netns && [ -z "$(ls -A /run/netns)" ]; then
    umount /run/netns 2>/dev/null || true
  fi

  # Kernel settings the kubelet changed; its cgroups; files it left outside our directories.
  if [ -f "$CLUSTER_RUN/sysctls.orig" ]; then
    while read -r k v; do sysctl -qw "$k=$v" >/dev/null 2>&1 || true; done < "$CLUSTER_RUN/sysctls.orig"
  fi
  local cg
  for cg in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/unified/kubepods; do
    [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  find /var/log/containers -maxdepth 1 -type l -lname "$CLUSTER_DIR/*" -delete 2>/dev/null || true
  rm -f /var/lib/cni/results/"$CNI_NET_NAME"-* 2>/dev/null || true

  local left
  left=$(our_mounts)
  [ -z "$left" ] || die "mounts left behind (not removing state): $left"
  # One cluster's state goes; the CA, the binaries and the node's image store stay (cache).
  rm -rf --one-file-system "$CLUSTER_DIR/etcd" "$CLUSTER_DIR/kubelet" "$CLUSTER_DIR/cni" \
    "$CLUSTER_DIR/pod-logs" "$CLUSTER_RUN" "$NODE_RUN"
  [ -f "$CLUSTER_ENV" ] && rm -f "$CLUSTER_ENV" "$KUBECONFIG_OUT"
  return 0
}
