# syntax=docker/dockerfile:1
# referralbot's container image: one static binary on distroless, run as uid 65532.
#   docker build -t referralbot:latest .
#   docker run --rm referralbot:latest help
# See docs/DEPLOY.md. manifests/deploy_docker_test.go checks this file against the code
# and runs its static-binary check.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# mattn/go-sqlite3 is cgo: gcc compiles SQLite, and bookworm's glibc static libraries
# let the binary link statically. That is safe here because nothing needs glibc at run
# time: netgo and osusergo keep name lookups in Go (no NSS), and
# sqlite_omit_load_extension removes SQLite's dlopen. Time zones are embedded
# (bot/deadline imports time/tzdata).
ENV CGO_ENABLED=1
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -tags "sqlite_omit_load_extension,netgo,osusergo" \
      -ldflags "-s -w -linkmode external -extldflags -static" \
      -o /out/referralbot ./cmd/referralbot
# The final image has no loader and no libc, so the build fails here unless the binary is
# static (no program interpreter, no shared library) and runs. CI does not build the image:
# manifests/deploy_docker_test.go runs this check on a static and a dynamic binary instead.
RUN set -e; bin=/out/referralbot; \
    segments=$(readelf -lW "$bin"); dynamic=$(readelf -dW "$bin"); \
    case "$segments" in *INTERP*) echo "$bin has a program interpreter; want a static binary" >&2; exit 1;; esac; \
    case "$dynamic" in *NEEDED*) echo "$bin needs shared libraries; want none: $dynamic" >&2; exit 1;; esac; \
    out=$("$bin" help 2>&1) || { echo "$bin help failed: $out" >&2; exit 1; }; \
    case "$out" in *"usage: referralbot"*) ;; *) echo "$bin help printed no usage: $out" >&2; exit 1;; esac
RUN mkdir -p /out/data

# static-debian12 carries CA certificates (Slack is HTTPS), /etc/passwd with the
# nonroot user, and /tmp; no shell and no libc, which the static binary does not need.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/referralbot /referralbot
# The database directory, writable by the bot when no volume is mounted over it.
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
WORKDIR /data
ENV DATABASE_PATH=/data/referralbot.db HTTP_ADDR=:3000
VOLUME ["/data"]
# /healthz, /readyz and, in HTTP mode, /slack/commands, /slack/interactions, /slack/events.
EXPOSE 3000
ENTRYPOINT ["/referralbot"]
CMD ["serve"]
