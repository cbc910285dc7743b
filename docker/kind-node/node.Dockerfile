# The kind node base: a systemd Debian with containerd, runc and the CNI plugins from Debian, our own
# entrypoint and units. scripts/cluster/node-image.sh adds Kubernetes (kubeadm, kubelet, kubectl) and
# the preloaded images on top of it to make the node image `kind create cluster --image` runs.
# What a kind node needs was learned from kind's images/base; every file here is the project's own.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      systemd systemd-sysv dbus containerd runc containernetworking-plugins \
      iptables nftables conntrack iproute2 ethtool socat util-linux mount kmod procps \
      ca-certificates libseccomp2 pigz jq \
 && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* \
 # systemd as a container's init: only the units a node uses start (no udev, getty, timers...)
 && find /lib/systemd/system/sysinit.target.wants/ -name 'systemd-tmpfiles-setup.service' -delete \
 && rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \
      /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \
      /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/* \
 && echo 'ReadKMsg=no' >> /etc/systemd/journald.conf \
 # kind's containerd config and kindnet-style CNI configs look for plugins in /opt/cni/bin
 && mkdir -p /opt/cni && ln -s /usr/lib/cni /opt/cni/bin \
 && mkdir -p /etc/kubernetes/manifests /etc/cni/net.d
COPY files/ /
COPY crictl /usr/local/bin/crictl
RUN chmod 0755 /usr/local/bin/entrypoint /usr/local/bin/crictl \
 && systemctl enable containerd.service kubelet.service \
 && systemctl mask systemd-binfmt.service
ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]
