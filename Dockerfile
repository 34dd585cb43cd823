# syntax=docker/dockerfile:1
# Multi-stage build on the current Node LTS. The runtime image holds only production
# dependencies, the compiled engine and the mapping files, and runs as a non-root user.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    JUNCTION_HOST=0.0.0.0 \
    JUNCTION_DATA_DIR=/var/lib/junction \
    JUNCTION_CONFIG=/app/junction.yaml
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY mappings ./mappings
COPY junction.yaml ./junction.yaml
RUN mkdir -p /var/lib/junction && chown -R node:node /var/lib/junction
USER node
VOLUME ["/var/lib/junction"]
EXPOSE 8080 2575
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "bin/junction.js", "start"]
