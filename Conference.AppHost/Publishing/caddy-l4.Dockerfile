# Caddy with the layer-4 app (https://github.com/mholt/caddy-l4), for TURN/TLS on 443 next to HTTPS when the
# deployment is published with --Conference:Turn=true (see CaddyTurnRoute.cs). Both are pinned: Caddy is the version
# the deployment otherwise runs (CaddyBuilderExtensions.Tag; a test keeps them equal), caddy-l4 a commit built
# against that Caddy version. release.yml builds it for linux/arm64 and linux/amd64 as conference-caddy-l4:TAG.
ARG CADDY_VERSION=2.10.2
FROM --platform=$BUILDPLATFORM caddy:${CADDY_VERSION}-builder AS builder
ARG TARGETOS
ARG TARGETARCH
ARG CADDY_VERSION
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH xcaddy build "v${CADDY_VERSION}" \
      --with github.com/mholt/caddy-l4@b02a6fd06dafbaa1f950d099eb73e4ac77d70b06

FROM caddy:${CADDY_VERSION}
COPY --from=builder /usr/bin/caddy /usr/bin/caddy
