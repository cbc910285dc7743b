# node-cni (cni/node-cni.sh): the offline kind node image's pod network, on the Debian base with
# iproute2, iptables and the kubectl built with the cluster.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends iproute2 iptables \
 && rm -rf /var/lib/apt/lists/*
COPY kubectl /usr/local/bin/kubectl
COPY node-cni.sh /usr/local/bin/node-cni
ENTRYPOINT ["/usr/local/bin/node-cni"]
