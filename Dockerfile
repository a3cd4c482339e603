# Tandem in a container: `tandem run` over HTTP on port 3000, as a non-root user, with its
# SQLite database on the /data volume (set DATABASE_URL to PostgreSQL for several replicas).
#   docker build -t tandem .
#   docker run -d --name tandem --env-file .env -p 127.0.0.1:3000:3000 -v tandem-data:/data tandem
# Put a TLS reverse proxy in front (deploy/nginx/tandem.conf); docs/OPERATIONS.md has the rest.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install . && rm -rf /app/build

RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin tandem \
    && mkdir -p /data && chown tandem:tandem /data
USER tandem
WORKDIR /data
VOLUME ["/data"]

ENV DATABASE_URL=sqlite:////data/tandem.db \
    PORT=3000
EXPOSE 3000

# 503 when the database does not answer or ticking is on and late (README, Running in production).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4).status == 200 else 1)"]

STOPSIGNAL SIGTERM
CMD ["tandem", "run"]
