# One image for every tskube component: `node dist/<component>/main.js`.
# NODE_IMAGE defaults to the official Node 20 slim image. From a clean checkout the build
# installs the dependencies itself (npm ci, needs the npm registry); a checkout that already
# has node_modules (npm ci on the host) uses them instead and needs no network, which is how
# scripts/compose-up builds offline on a local base image (scripts/base-image).
ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json ./
# `node_module[s]` matches nothing in a clean checkout (COPY then brings only the lock file,
# where a plain `COPY node_modules` would fail); dependencies change less often than the
# sources, so they get their own layer.
COPY package-lock.json node_module[s] ./node_modules/
RUN mv node_modules/package-lock.json ./ \
 && if [ -f node_modules/.package-lock.json ]; then echo "using the node_modules of the build context"; \
    else npm ci --no-audit --no-fund --loglevel=error; fi
COPY tsconfig.json ./
# build-dashboard.mj[s]: the web app's bundler (esbuild), when the checkout has it.
COPY scripts/gen-openapi.mjs scripts/build-dashboard.mj[s] ./scripts/
COPY api ./api
COPY client ./client
COPY apiserver ./apiserver
COPY scheduler ./scheduler
COPY controller-manager ./controller-manager
COPY kubelet ./kubelet
COPY kube-proxy ./kube-proxy
COPY dns ./dns
COPY metrics-server ./metrics-server
COPY kubectl ./kubectl
COPY dashboard ./dashboard
# Only what the components run: no tests, benchmarks or test harness.
RUN printf '%s' '{"extends":"./tsconfig.json","include":["api","client","apiserver","scheduler","controller-manager","kubelet","kube-proxy","dns","metrics-server","kubectl","dashboard"],"exclude":["node_modules","dist","dashboard/web","**/*.test.ts"]}' >tsconfig.image.json \
 && node node_modules/typescript/bin/tsc -p tsconfig.image.json \
 && node scripts/gen-openapi.mjs \
 && if [ -f scripts/build-dashboard.mjs ]; then node scripts/build-dashboard.mjs; fi \
 && cp apiserver/openapi/OpenAPIv2.proto dist/apiserver/openapi/
# Runtime dependencies only, as `npm prune --omit=dev` would leave them — done with node
# because the offline base image has no npm: remove every package the lock file marks dev.
RUN node -e ' \
  const { rmSync } = require("node:fs"); \
  const lock = require("./package-lock.json"); \
  for (const [path, meta] of Object.entries(lock.packages ?? {})) if (path && meta.dev) rmSync(path, { recursive: true, force: true }); \
  rmSync("node_modules/.bin", { recursive: true, force: true });'

FROM ${NODE_IMAGE}
# kube-proxy runs iptables-restore and ip, the HA compose file's load balancer Debian's
# haproxy; the local base image has them, the official one gets them from Debian.
RUN if ! command -v iptables-restore >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1 || ! command -v haproxy >/dev/null 2>&1; then \
      apt-get update && apt-get install -y --no-install-recommends iptables iproute2 haproxy && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# The compose `pki` service copies it to .tskube/audit-policy.yaml (kept there once present).
COPY apiserver/audit/default-policy.yaml ./apiserver/audit/
ENTRYPOINT ["node"]
CMD ["dist/apiserver/main.js"]
