# One image for the three programs: `beacon serve` (the default), `beacon-aggregator serve`
# and `beacon-ingest`. docker-compose.yml runs a node and the aggregator over a real MongoDB.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY beacon ./beacon
COPY ingest ./ingest
COPY aggregator ./aggregator
COPY schemas ./schemas
# The production install: no dev tools, no simulator, no embedded engine (MONGODB_URI is set).
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app beacon

USER beacon
EXPOSE 5050 5060
# Both programs answer /health: 200 while they can serve.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD \
    python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('HEALTH_PORT', '5050') + '/health', timeout=4)"
CMD ["beacon", "serve", "--host", "0.0.0.0"]
