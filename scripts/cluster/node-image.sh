#!/usr/bin/env bash
# Builds, offline, a kind node image of K8S_VERSION from what the project builds itself, for hosts
# where no registry serves kind's own (kindest/node). `kind create cluster --image` takes it as it
# takes kindest/node: the same contract (systemd node, containerd with the images preloaded, kubeadm,
# kubelet and kubectl in /usr/bin, /kind/version, /kind/manifests/default-{cni,storage}.yaml).
#   scripts/cluster/node-image.sh     # prints the image name; cached: a second run returns at once
# The tag is K8S_VERSION plus a hash of every input (versions.sh, docker/kind-node/, this script), so a
# change to any of them builds a new image and an unchanged tree reuses the one it has.
#
# kind's own `kind build node-image` cannot do this offline: it pulls kindnetd and kind's
# local-path images from a registry, and kindnetd's Go module is not served by the module proxy. So
# this script does what that build does, with the project's images: run the node base, copy the
# binaries in, start containerd, import the images, commit.
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"
inputs_hash=$( (cat scripts/cluster/versions.sh scripts/cluster/node-image.sh docker/pause/Dockerfile
  find docker/kind-node -type f | LC_ALL=C sort | xargs cat) | sha256sum | cut -c1-12)
image="$KIND_OFFLINE_NODE_IMAGE:$K8S_VERSION-$inputs_hash"
if engine image inspect "$image" >/dev/null 2>&1; then echo "$image"; exit 0; fi

t0=$SECONDS
STEP_TOTAL=5
build() { # build IMAGE DOCKERFILE CONTEXT [--build-arg ...]
  local img=$1 file=$2 ctx=$3; shift 3
  engine_build --network=host --build-arg "BASE_IMAGE=$BASE_IMAGE" "$@" -f "$file" -t "$img" "$ctx"
}

step "binaries: Kubernetes $K8S_VERSION (with kubeadm), crictl, CoreDNS, local-path-provisioner"
bash scripts/cluster/build-k8s.sh >/dev/null
for tool in crictl coredns local-path-provisioner; do bash scripts/cluster/build-tools.sh "$tool" >/dev/null; done
bash scripts/base-image.sh base pause

ctx="$CACHE_DIR/images/kind-node-ctx"
rm -rf "$ctx"
mkdir -p "$ctx"
cp "$K8S_BIN"/{kube-apiserver,kube-controller-manager,kube-scheduler,kube-proxy,etcd,kubectl} \
  "$TOOLS_BIN"/{coredns,crictl,local-path-provisioner} "$ctx/"
cp docker/kind-node/*.Dockerfile docker/kind-node/cni/node-cni.sh "$ctx/"

# The images kubeadm will ask for, by the names it will ask for them (kubeadm's own list, so no
# registry is named here), each built from the binary above.
step "control-plane images (the names kubeadm $K8S_VERSION lists)"
preload=()
pause_image=
while read -r img; do
  component=${img##*/}; component=${component%%:*}
  case $component in
    kube-apiserver | kube-controller-manager | kube-scheduler | etcd)
      build "$img" "$ctx/component.Dockerfile" "$ctx" --build-arg "BINARY=$component" ;;
    kube-proxy)
      build "$img" "$ctx/component.Dockerfile" "$ctx" --build-arg "BINARY=kube-proxy" \
        --build-arg "PACKAGES=iptables conntrack" ;;
    coredns) build "$img" "$ctx/coredns.Dockerfile" "$ctx" ;;
    pause) engine tag "$PAUSE_IMAGE" "$img"; pause_image=$img ;;
    *) die "kubeadm lists an image this script does not know how to build: $img" ;;
  esac
  preload+=("$img")
done < <("$K8S_BIN/kubeadm" config images list --kubernetes-version "$K8S_VERSION")
[ -n "$pause_image" ] || die "kubeadm listed no pause image"

step "the node's add-ons: node-cni (pod network), local-path-provisioner (default StorageClass)"
cni_image=localhost/autopilot-k8s/node-cni:$inputs_hash
provisioner_image=localhost/autopilot-k8s/local-path-provisioner:$LOCAL_PATH_PROVISIONER_VERSION
helper_image=localhost/autopilot-k8s/local-path-helper:$DEBIAN_SUITE
build "$cni_image" "$ctx/cni.Dockerfile" "$ctx"
build "$provisioner_image" "$ctx/component.Dockerfile" "$ctx" --build-arg "BINARY=local-path-provisioner"
engine tag "$BASE_IMAGE" "$helper_image"
preload+=("$cni_image" "$provisioner_image" "$helper_image")

step "node base (systemd, containerd, runc, CNI plugins from Debian)"
base="localhost/autopilot-k8s/kind-node-base:$inputs_hash"
cp -r docker/kind-node/files "$ctx/files"
sed -i "s|@PAUSE_IMAGE@|$pause_image|" "$ctx/files/etc/containerd/config.toml"
build "$base" "$ctx/node.Dockerfile" "$ctx"

step "node image $image: Kubernetes binaries, manifests, ${#preload[@]} images preloaded"
cid=$(engine run -d --entrypoint sleep --security-opt seccomp=unconfined "$base" infinity)
trap 'engine rm -f "$cid" >/dev/null 2>&1 || true; rm -f "$ctx/images.tar"' EXIT
in_node() { engine exec -i "$cid" "$@"; }
for b in kubeadm kubelet kubectl; do engine cp "$K8S_BIN/$b" "$cid:/usr/bin/$b"; done
in_node sh -c 'mkdir -p /kind/manifests && cat > /kind/version' <<<"$K8S_VERSION"
for m in default-cni default-storage; do
  sed -e "s|@CNI_IMAGE@|$cni_image|; s|@PROVISIONER_IMAGE@|$provisioner_image|; s|@HELPER_IMAGE@|$helper_image|" \
    "docker/kind-node/manifests/$m.yaml" | in_node sh -c "cat > /kind/manifests/$m.yaml"
done
engine_save "$ctx/images.tar" "${preload[@]}"
engine cp "$ctx/images.tar" "$cid:/images.tar"
in_node bash -c 'containerd > /var/log/containerd-build.log 2>&1 &
  for _ in $(seq 1 100); do ctr version >/dev/null 2>&1 && break; sleep 0.1; done
  # pinned: the kubelet never garbage-collects them (nothing could pull them back)
  ctr -n k8s.io images import --label io.cri-containerd.pinned=pinned --all-platforms --no-unpack --digests /images.tar >/dev/null
  rm -f /images.tar
  ctr -n k8s.io images ls -q > /kind/preloaded-images
  pkill containerd
  while pgrep -x containerd >/dev/null; do sleep 0.1; done
  rm -rf /var/log/containerd-build.log /run/containerd'
for img in "${preload[@]}"; do
  in_node grep -qx "$(image_ref "$img")" /kind/preloaded-images || die "the node image lacks $img after the import"
done
engine commit -q --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' --change 'CMD []' "$cid" "$image" >/dev/null
log "node image $image built in $((SECONDS - t0))s"
# Earlier builds of it (other inputs) go: each is about a gigabyte. One still in use stays.
for old in $(engine images --format '{{.Repository}}:{{.Tag}}' | grep -E "^($KIND_OFFLINE_NODE_IMAGE|localhost/autopilot-k8s/kind-node-base|localhost/autopilot-k8s/node-cni):" | grep -v -e ":$K8S_VERSION-$inputs_hash\$" -e ":$inputs_hash\$"); do
  engine rmi "$old" >/dev/null 2>&1 || true
done
echo "$image"
