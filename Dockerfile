# Build and run the coupon API. Used by deploy/docker-compose.yml.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig Coupons.slnx ./
COPY src/ src/
# The build context has no .git, so MinVer cannot read the tag: the version and commit come in as build arguments
# (README, "Operating it"), and label the image too. An empty VERSION is refused rather than built as 0.0.0.
ARG VERSION=0.0.0-unversioned
ARG COMMIT=unknown
RUN test -n "$VERSION" && dotnet publish src/Coupons.Api -c Release -o /app --no-self-contained -p:MinVerVersionOverride=$VERSION -p:SourceRevisionId=$COMMIT

FROM mcr.microsoft.com/dotnet/aspnet:10.0
ARG VERSION=0.0.0-unversioned
ARG COMMIT=unknown
LABEL org.opencontainers.image.version=$VERSION org.opencontainers.image.revision=$COMMIT org.opencontainers.image.title=coupons-api
# curl for the container healthcheck only.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_ENVIRONMENT=Production \
    Urls=http://0.0.0.0:8081
# 8081: the public API (behind nginx); 9081: admin API and /metrics when Admin__Url is set (internal network only).
EXPOSE 8081 9081
# The aspnet image's unprivileged user (uid 1654): the app needs no root, and a compromise gets none.
USER app
ENTRYPOINT ["dotnet", "Coupons.Api.dll"]
