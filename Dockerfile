# One image, the role chosen on the command line: `smebot web`, `smebot worker`,
# `smebot db upgrade` (see docs/operations.md). Non-root, slim.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY knowledge ./knowledge
COPY models ./models
RUN python -m venv /opt/smebot && /opt/smebot/bin/pip install .

FROM python:3.11-slim
ENV PATH=/opt/smebot/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    WEB_HOST=0.0.0.0 LOG_FORMAT=json
RUN useradd --system --uid 10001 --home-dir /app --create-home smebot
COPY --from=build /opt/smebot /opt/smebot
WORKDIR /app
USER smebot
EXPOSE 8080 8081
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s \
  CMD python -c "import os, urllib.request; port = os.environ.get('HEALTH_PORT', '8080'); urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=2)"
ENTRYPOINT ["smebot"]
CMD ["web"]
