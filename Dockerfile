# syntax=docker/dockerfile:1
# biaozhun: multi-stage build. The builder compiles the one `biaozhun` binary; the runtime image
# holds only that binary, the index configuration and poppler-utils (pdftotext, the PDF
# extractor of last resort), and runs as a non-root user.
#
#   docker build -t biaozhun .
#   docker run -p 8080:8080 -v biaozhun-index:/var/lib/biaozhun biaozhun

FROM rust:1.95-bookworm AS builder
WORKDIR /src
COPY . .
# The image already has a 1.95 toolchain; the pinned channel file would make rustup download
# another one (plus rustfmt and clippy) for nothing.
RUN rm -f rust-toolchain.toml
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin biaozhun \
 && cp target/release/biaozhun /usr/local/bin/biaozhun \
 && strip /usr/local/bin/biaozhun

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends poppler-utils antiword ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin biaozhun \
 && mkdir -p /var/lib/biaozhun /data \
 && chown biaozhun:biaozhun /var/lib/biaozhun
COPY --from=builder /usr/local/bin/biaozhun /usr/local/bin/biaozhun
COPY index-config /app/index-config
WORKDIR /app
USER biaozhun
ENV BIAOZHUN_ADDR=0.0.0.0:8080 \
    BIAOZHUN_INDEX=/var/lib/biaozhun/index \
    BIAOZHUN_INDEX_CONFIG=/app/index-config \
    BIAOZHUN_BOOTSTRAP=none \
    BIAOZHUN_LOG_FORMAT=json
VOLUME ["/var/lib/biaozhun"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
ENTRYPOINT ["biaozhun"]
CMD ["serve"]
