# One Kubernetes component (kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy, etcd)
# for the kind node image: the binary built from its Go module on the Debian base. kubeadm runs each
# by name (`command: [kube-apiserver, ...]`), so the binary is on PATH. kube-proxy also needs iptables.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG PACKAGES=""
RUN if [ -n "$PACKAGES" ]; then apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES \
      && rm -rf /var/lib/apt/lists/*; fi
ARG BINARY
COPY ${BINARY} /usr/local/bin/${BINARY}
