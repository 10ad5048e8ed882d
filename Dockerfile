# AutoMCP as one static-ish executable on a slim base. Build: docker build -t automcp .
# Run:   docker run -p 8000:8000 -v automcp-data:/data automcp
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /data automcp && mkdir -p /data && chown automcp /data
COPY --from=build /src/dist/automcp /usr/local/bin/automcp
USER automcp
WORKDIR /data
ENV HOST=0.0.0.0 PORT=8000 AUTOMCP_DB=/data/automcp.db
EXPOSE 8000
VOLUME ["/data"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["/usr/local/bin/automcp", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/automcp"]
