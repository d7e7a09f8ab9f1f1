# syntax=docker/dockerfile:1
# DAO Portal image: the server (`dao-portal serve`) with the dashboard built in; the same image runs
# workers (`docker run IMAGE worker`) and every other CLI command. See docs/DEPLOY.md.

# ---- deps: every package, for building the dashboard
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# ---- build: the dashboard (web/ -> dist/web, with its precompressed .br/.gz copies)
FROM deps AS build
COPY . .
RUN npm run build:web

# ---- prod-deps: runtime packages only (tsx is one: the CLI runs the TypeScript sources directly)
FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime
FROM node:20-bookworm-slim AS runtime
# pg_dump/pg_restore for `dao-portal backup|restore` on PostgreSQL: Debian 12's client is major
# version 15, which is why docker-compose.yml runs PostgreSQL 15 (pg_dump must be >= the server).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/data \
    BACKUP_DIR=/data/backups
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY --from=build /app/dist/web ./dist/web
# The node image's unprivileged user (uid 1000) owns only the data volume; the code stays root's
# and read-only to the server.
RUN mkdir -p /data/backups && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "bin/healthcheck.js"]
ENTRYPOINT ["node", "bin/dao-portal.js"]
CMD ["serve"]
