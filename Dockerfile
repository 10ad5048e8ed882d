# AutoMCP as one executable, in two images built from this file:
#   docker build -t automcp .                      the default: the binary alone on Debian slim
#   docker build --target node -t automcp:node .   the same on Node.js, so stdio servers can run `npx …`
# Run:   docker run -p 8000:8000 -v automcp-data:/data automcp
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# The two final stages differ only in their base image. Both run AutoMCP under tini: as PID 1 AutoMCP would
# never reap the grandchildren of stdio servers (npx → node) that are reparented to it when their parent ends.

# With node, npm and npx in PATH (/usr/local/bin), for stdio servers such as `npx -y @scope/server`.
FROM node:20-bookworm-slim AS node
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /data automcp && mkdir -p /data && chown automcp /data
COPY --from=build /src/dist/automcp /usr/local/bin/automcp
USER automcp
WORKDIR /data
ENV HOST=0.0.0.0 PORT=8000 AUTOMCP_DB=/data/automcp.db
EXPOSE 8000
VOLUME ["/data"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["/usr/local/bin/automcp", "healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/automcp"]

# The default image (the last stage): no Node or Bun, only the binary; stdio servers run programs in the image.
FROM debian:bookworm-slim AS slim
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /data automcp && mkdir -p /data && chown automcp /data
COPY --from=build /src/dist/automcp /usr/local/bin/automcp
USER automcp
WORKDIR /data
ENV HOST=0.0.0.0 PORT=8000 AUTOMCP_DB=/data/automcp.db
EXPOSE 8000
VOLUME ["/data"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["/usr/local/bin/automcp", "healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/automcp"]
