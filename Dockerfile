# Heimdall container image: built in one stage, run from another as an unprivileged user, with nothing downloaded
# or compiled at run time. No Docker engine (nor hadolint) runs in CI; test/unit/dockerfile.test.ts checks these
# rules instead. Deployment: docs/deploy/production.md; with PostgreSQL and Redis on one host: compose.yaml.
#
#   docker build -t heimdall .
#   docker run -p 3000:3000 -e HEIMDALL_SECRET=… -v heimdall-data:/var/lib/heimdall heimdall

ARG NODE_IMAGE=node:20.20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3's native addon is compiled here, from source, against the image's own Node headers.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
ENV npm_config_build_from_source=true \
    npm_config_nodedir=/usr/local
WORKDIR /app
COPY package.json package-lock.json ./
# Dependencies first (a cached layer); the package's own `prepare` build waits for the sources below.
RUN npm ci --ignore-scripts --no-audit --no-fund \
    && npm rebuild better-sqlite3
COPY . .
# The server (tsc) and the web app (Vite, into web/dist).
RUN npm run build \
    && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    HEIMDALL_DATA_DIR=/var/lib/heimdall \
    DATABASE_URL=sqlite:/var/lib/heimdall/heimdall.db
WORKDIR /app
# Code and dependencies stay owned by root: the process can read them, not change them.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/assets ./assets
COPY --from=build /app/web/dist ./web/dist
# The only writable place: the SQLite database and the generated secret when HEIMDALL_SECRET is not set.
RUN mkdir -p /var/lib/heimdall && chown node:node /var/lib/heimdall
VOLUME ["/var/lib/heimdall"]
USER node
EXPOSE 3000
# SIGTERM starts the graceful shutdown (drain, finish in-flight requests, close the stores).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
