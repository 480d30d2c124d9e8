# 回款陪练 — the bot as a small non-root image: the wheel built from this checkout, its
# dependencies exactly as uv.lock pins them (hash-checked), and a CJK font from Debian's
# fonts-noto-cjk (SIL Open Font License 1.1; the licence is at
# /usr/share/doc/fonts-noto-cjk/copyright in the image) instead of mplfonts' 103 MB bundle.
#   docker build -t huikuan-trainer .
#   docker compose up            (see compose.yaml)

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
RUN pip install --no-cache-dir "uv>=0.9"
COPY pyproject.toml uv.lock setup.py MANIFEST.in README.md ./
COPY bot ./bot
COPY scenarios ./scenarios
COPY prompts ./prompts
# The locked runtime set (the PostgreSQL driver included; not the dev tools, nor the `fonts`
# extra's mplfonts: the system font below replaces it), then the project's own wheel.
RUN mkdir -p /wheels \
    && uv export --frozen --no-emit-project --extra postgres --format requirements-txt \
        --no-header --output-file /wheels/runtime.txt
RUN uv build --wheel --out-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    XDG_DATA_HOME=/data LOG_FORMAT=json METRICS_PORT=9464 METRICS_LISTEN=0.0.0.0 \
    TELEGRAM_WEBHOOK_LISTEN=0.0.0.0 MPLCONFIGDIR=/tmp/matplotlib
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin trainer \
    && mkdir -p /data && chown trainer /data
COPY --from=build /wheels /wheels
RUN pip install --require-hashes --no-deps -r /wheels/runtime.txt \
    && pip install --no-deps /wheels/*.whl \
    && rm -rf /wheels
USER trainer
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8443 9464
# Database reachable and at head, Bot API getMe, this container's job loop beat lately.
HEALTHCHECK --interval=30s --timeout=20s --start-period=60s --retries=3 \
    CMD ["trainer", "health"]
ENTRYPOINT ["trainer"]
CMD ["run"]
