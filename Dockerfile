# syntax=docker/dockerfile:1
# Build: compile TypeScript and the native SQLite binding, then keep production dependencies only.
FROM node:20-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
COPY dialogs ./dialogs
COPY manifests ./manifests
COPY scripts/bundle.mjs ./scripts/bundle.mjs
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Run: plain Node, no compiler, a non-root user, state in /app/data.
FROM node:20-slim
ENV NODE_ENV=production \
    PORT=3978 \
    DATABASE_PATH=/app/data/bubbelbreker.sqlite
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/dialogs ./dialogs
# The result's pictures, served at /images (PUBLIC_DIR).
COPY --chown=node:node public ./public
# Keys never live on the data volume: PSEUDONYM_KEY and DATA_KEY come from the environment (a secret store); only
# local mode generates keys, into /app/.keys (KEYS_DIR), which is not part of the volume and is refused as the
# database folder.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3978
VOLUME ["/app/data"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "dist/server/main.js"]
