# syntax=docker/dockerfile:1
# Build: one static binary, no cgo.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=0.1.0-dev
ARG COMMIT=unknown
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
      -o /out/worker ./cmd/worker

# Run: nothing but the binary, as a non-root user. The Raft store lives in /data.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/worker /usr/local/bin/worker
WORKDIR /data
USER nonroot:nonroot
EXPOSE 8083
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/worker", "--set", "data.dir=/data"]
CMD ["--listeners", "http://0.0.0.0:8083"]
