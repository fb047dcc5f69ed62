# A static, cgo-free schwarm binary on a minimal base image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/schwarm ./cmd/schwarm

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/schwarm /usr/local/bin/schwarm
# The binary embeds OpenThesaurus data (LGPL-2.1): its notice and licence go along.
COPY --from=build /src/app/search/thesaurus/README.md /src/app/search/thesaurus/LICENSE.LGPL-2.1 /usr/share/doc/schwarm/thesaurus/
ENV SCHWARM_ADDR=:8080 \
    SCHWARM_DATA_DIR=/data \
    SCHWARM_LOG_FORMAT=json
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/schwarm"]
CMD ["serve"]
