# syntax=docker/dockerfile:1
# AI Trader as a container: `aitrader serve` on port 8080, state in the /data volume (docs/howto/deploy.md).
#   docker build -t aitrader .
#   docker run -p 8080:8080 -v aitrader-data:/data --env-file .env aitrader
#   docker run --rm aitrader backtest --symbol SPY --start 2005-01-01 --strategy breakout
# Multi-stage, as the .NET samples do it: the SDK image restores (a layer that changes only with the project files) and
# publishes for the target architecture; the final image is the ASP.NET Core runtime (the CLI hosts the service) with
# the published app, run as the images' non-root user.

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG TARGETARCH
WORKDIR /source
COPY global.json Directory.Build.props ./
COPY src/Directory.Build.props src/
COPY src/AiTrader.Core/AiTrader.Core.csproj src/AiTrader.Core/
COPY src/AiTrader.Storage/AiTrader.Storage.csproj src/AiTrader.Storage/
COPY src/AiTrader.MarketData/AiTrader.MarketData.csproj src/AiTrader.MarketData/
COPY src/AiTrader.Brokers/AiTrader.Brokers.csproj src/AiTrader.Brokers/
COPY src/AiTrader.Reporting/AiTrader.Reporting.csproj src/AiTrader.Reporting/
COPY src/AiTrader.Application/AiTrader.Application.csproj src/AiTrader.Application/
COPY src/AiTrader.Service/AiTrader.Service.csproj src/AiTrader.Service/
COPY src/AiTrader.Cluster/AiTrader.Cluster.csproj src/AiTrader.Cluster/
COPY src/AiTrader.Cli/AiTrader.Cli.csproj src/AiTrader.Cli/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet restore src/AiTrader.Cli/AiTrader.Cli.csproj -a $TARGETARCH
# The sources, the README the package embeds and the bundled sample data (copied next to the binary).
COPY src/ src/
COPY data/sample/ data/sample/
COPY README.md ./
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish src/AiTrader.Cli/AiTrader.Cli.csproj -c Release -a $TARGETARCH --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS final
# State (SQLite, journal, API keys, jobs, caches) and outputs live in one volume the non-root user owns. The vendor
# bar cache is named too: its default is relative to the working folder (/app), which that user cannot write.
ENV AITRADER_DATA_DIR=/data \
    AITRADER_ARTIFACTS_DIR=/data/artifacts \
    AITRADER_CACHE_DIR=/data/artifacts/marketdata/cache \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
RUN mkdir -p /data && chown $APP_UID:$APP_UID /data
VOLUME /data
WORKDIR /app
COPY --link --from=build /app .
USER $APP_UID
EXPOSE 8080
# The image has no curl or wget: bash's /dev/tcp asks /health/live (anonymous, answers while the process is up).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/live HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["./aitrader"]
CMD ["serve", "--urls", "http://0.0.0.0:8080"]
