# kata-audit container image.
#
#   podman build -t kata-audit .            (or docker build)
#   podman run --rm kata-audit --version
#
# Three stages: `deps` installs the production dependencies only, `build` installs everything and compiles the
# TypeScript, and the runtime stage copies the compiled JavaScript and the production node_modules onto a base that
# holds nothing but Node.js. No native addons are used, so the image is the same on every architecture and the
# build stages may run on the build machine's platform.
#
# Base images are build arguments so that an air-gapped CI (test/deploy/image.test.ts) or a mirror can supply its own:
#   --build-arg BUILD_IMAGE=registry.example/node:24-bookworm-slim --build-arg BASE_IMAGE=registry.example/distroless-node24
#
# Runtime default: Google's distroless Node.js 24 on Debian 12, `nonroot` variant (uid 65532). It has node and glibc
# and nothing else: no shell, no package manager, no setuid binaries, which is what an agent that runs with
# CAP_SYS_PTRACE on every node should carry. Node 24 is the supported LTS line (Node 20 reached its end of life in
# April 2026); package.json's engines name what is tested (^20.19.0 || >=24.0.0), and .ci/run runs the suite on the machine's Node.js and
# on Node.js 24. Build and runtime images share the major version: the compiled JavaScript and the production
# node_modules are copied from one to the other. The official node:24-bookworm-slim works as BASE_IMAGE too (it
# adds a shell and npm; the ENTRYPOINT below bypasses its docker-entrypoint.sh).
#
# Offline builds: the npm steps honour npm's own environment configuration, passed as build arguments, e.g.
#   podman build -v "$HOME/.npm:/npm-cache:O" --build-arg npm_config_cache=/npm-cache --build-arg npm_config_offline=true .

ARG BUILD_IMAGE=docker.io/library/node:24-bookworm-slim
ARG BASE_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

# --- production dependencies only ------------------------------------------------------------------------------
FROM ${BUILD_IMAGE} AS deps
ARG npm_config_cache
ARG npm_config_offline
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs an install script (no native addons); refusing them keeps a compromised
# package from running code at build time.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# --- compile -----------------------------------------------------------------------------------------------------
FROM ${BUILD_IMAGE} AS build
ARG npm_config_cache
ARG npm_config_offline
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
# The context holds only package*.json, tsconfig.json, src/ and examples/ (see .dockerignore), so dist/ receives
# dist/src and nothing from test/ or bench/. examples/ may be absent from a checkout: mkdir keeps the COPY below valid.
COPY . ./
RUN node node_modules/typescript/bin/tsc -p tsconfig.json && mkdir -p examples

# --- runtime -----------------------------------------------------------------------------------------------------
FROM ${BASE_IMAGE}
ARG BASE_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown

LABEL org.opencontainers.image.title="kata-audit" \
      org.opencontainers.image.description="Audits live Kata Containers sandboxes on a node and exports their security exposure to Prometheus" \
      org.opencontainers.image.url="https://github.com/kata-audit/kata-audit" \
      org.opencontainers.image.source="https://github.com/kata-audit/kata-audit" \
      org.opencontainers.image.documentation="https://github.com/kata-audit/kata-audit/blob/main/docs/deploy.md" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="kata-audit" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="${BASE_IMAGE}"

WORKDIR /app
# package.json is needed at run time: it declares "type": "module" for dist/ and carries the version.
COPY --from=deps /app/package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The bundled example node (`serve --example`, `scan --example`).
COPY --from=build /app/examples ./examples

# node is found on PATH: /nodejs/bin in distroless, /usr/local/bin in the official node images, /usr/bin elsewhere.
# --max-old-space-size caps the V8 heap below the DaemonSet's 192Mi memory limit, so the agent collects garbage
# harder instead of being OOM-killed; raise both together. Small semi-spaces: ~20 MiB less peak RSS (measured).
ENV PATH=/nodejs/bin:/usr/local/bin:/usr/bin:/bin \
    NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=64 --max-semi-space-size=2"

# Non-root by default (distroless `nonroot`). The DaemonSet overrides this with runAsUser: 0 and two capabilities,
# because Kubernetes gives added capabilities to root only (see deploy/kubernetes/daemonset.yaml); the image never
# bakes root in.
USER 65532:65532
EXPOSE 9873
# node runs directly (no npm, no shell), so SIGTERM reaches the agent, which drains and exits within 5 s.
ENTRYPOINT ["node", "--enable-source-maps", "/app/dist/src/cli.js"]
CMD ["serve"]
