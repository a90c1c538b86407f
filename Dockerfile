# syntax=docker/dockerfile:1
# chat-server image. The build stage runs the production steps tests/production-install.test.ts
# checks in a clean folder: npm ci (generates the Prisma client and compiles), npm run build,
# npm prune --omit=dev. The runtime stage gets the result without compilers or sources.
#   docker build -t chat-server .
#   docker run -e NODE_ENV=production -e JWT_SECRET=... -e DATABASE_URL=... -p 8080:8080 chat-server
# compose.yaml runs two of them with PostgreSQL, Redis and nginx (TLS).

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    SERVER_PORT=8080 \
    DATA_DIR=/data \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# What `npm start` needs at run time: the build (server and web app), the production node_modules,
# the migrations the server applies at start, and package.json (the start script; it also marks
# the project folder).
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY --from=build /app/prisma ./prisma
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SERVER_PORT || 8080) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# --silent: npm's "> chat-server start" banner would otherwise be the only non-JSON lines on stdout.
# npm hands SIGTERM/SIGINT to the server (`exec` in the start script), which stops gracefully.
CMD ["npm", "start", "--silent"]
