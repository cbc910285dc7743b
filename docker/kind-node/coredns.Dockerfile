# CoreDNS for the kind node image, from the static binary built from its Go module. kubeadm's CoreDNS
# Deployment listens on :53 with only NET_BIND_SERVICE added (all else dropped, read-only root): that
# capability is effective only for uid 0 (a COPY keeps no file capabilities), so no USER here.
FROM scratch
COPY coredns /coredns
ENTRYPOINT ["/coredns"]
