# Punchcard's image: build on Debian bookworm with the whole toolchain, run on bookworm-slim with the
# production dependencies only. Both stages are the same Node and the same Debian, so the SQLite addon
# (better-sqlite3, native) compiled or fetched in the build stage loads in the final one.
#   docker build -t punchcard .
#   docker run -p 8080:8080 -p 8081:8081 -v punchcard-data:/data punchcard
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY clients/typescript ./clients/typescript
COPY web ./web
RUN npm run build && npm run build:web

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    PORT=8080 \
    GRPC_PORT=8081 \
    PUNCHCARD_DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
# Without scripts: the one install script among the production dependencies builds better-sqlite3, which
# needs a compiler this image does not have; its addon comes from the build stage instead.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/node_modules/better-sqlite3/build/Release/better_sqlite3.node ./node_modules/better-sqlite3/build/Release/better_sqlite3.node
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/web/dist ./web/dist
COPY migrations ./migrations
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080 8081
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
