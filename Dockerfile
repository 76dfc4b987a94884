# One image for every tskube component: `node dist/<component>/main.js`.
# NODE_IMAGE defaults to the official Node 20 slim image; where no registry is reachable,
# scripts/base-image makes tskube/node:20-local from the host's node (scripts/compose-up
# picks it automatically). The build uses the node_modules already installed in the context
# (npm ci on the host), so it needs no network.
ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json ./
COPY node_modules ./node_modules
COPY api ./api
COPY client ./client
COPY apiserver ./apiserver
COPY scheduler ./scheduler
COPY controller-manager ./controller-manager
COPY kubelet ./kubelet
COPY kube-proxy ./kube-proxy
COPY dns ./dns
COPY kubectl ./kubectl
COPY bench ./bench
COPY test ./test
COPY scripts/gen-openapi.mjs ./scripts/
RUN node node_modules/typescript/bin/tsc -p tsconfig.json && node scripts/gen-openapi.mjs \
 && find dist -name '*.test.js*' -exec rm -f {} +

FROM ${NODE_IMAGE}
# kube-proxy needs iptables and ip; the local base image has them, the official one gets them.
RUN command -v iptables-restore >/dev/null 2>&1 || (apt-get update && apt-get install -y --no-install-recommends iptables iproute2 && rm -rf /var/lib/apt/lists/*)
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
ENTRYPOINT ["node"]
CMD ["dist/apiserver/main.js"]
