# A static aggregatord image.
#   docker build -t aggregatord .
#   docker run -p 8080:8080 -v $PWD/config.toml:/etc/aggregatord/config.toml:ro \
#     -v aggregatord-data:/var/lib/aggregatord aggregatord
# In the config: [server] listen = "0.0.0.0:8080", base_url = your public URL,
# admin_listen = "127.0.0.1:8081" (reach it with docker exec), and
# [storage] path = "/var/lib/aggregatord/aggregatord.db".
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /aggregatord ./cmd/aggregatord

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /aggregatord /usr/local/bin/aggregatord
VOLUME /var/lib/aggregatord
WORKDIR /var/lib/aggregatord
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/aggregatord"]
CMD ["run", "-config", "/etc/aggregatord/config.toml", "-log-format", "json"]
