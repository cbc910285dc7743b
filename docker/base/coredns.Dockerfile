# The cluster DNS image, built locally by scripts/cluster/up.sh from the static CoreDNS binary
# (built from its Go module github.com/coredns/coredns). Runs as non-root on a read-only root
# filesystem; it listens on an unprivileged port (1053) and the kube-dns Service maps 53 to it.
FROM scratch
COPY coredns /coredns
USER 65532:65532
EXPOSE 1053 1053/udp
ENTRYPOINT ["/coredns"]
