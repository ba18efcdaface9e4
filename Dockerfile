# syntax=docker/dockerfile:1
# chatops: build the wheel and its dependencies in one stage, run as a non-root user in a slim one.
ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/chatops
WORKDIR /src
# Sources only: the bundled agent (intents/) goes into the wheel as chatops/bundled_agent.
COPY pyproject.toml README.md ./
COPY chatops ./chatops
COPY handlers ./handlers
COPY intents ./intents
RUN /opt/chatops/bin/pip install . \
    && /opt/chatops/bin/chatops check

FROM python:${PYTHON_VERSION}-slim AS runtime
RUN groupadd --system --gid 10001 chatops \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/chatops --create-home --shell /usr/sbin/nologin chatops
COPY --from=build /opt/chatops /opt/chatops
ENV PATH=/opt/chatops/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CHATOPS_HOST=0.0.0.0 \
    CHATOPS_PORT=8080 \
    CHATOPS_STORE=sqlite:////var/lib/chatops/chatops.db \
    CHATOPS_LOG_FORMAT=json
WORKDIR /var/lib/chatops
USER 10001:10001
EXPOSE 8080
# Liveness only: /readyz also needs the store, and an orchestrator should not restart the bot when the store is down.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('CHATOPS_PORT', '8080') + '/healthz', timeout=2)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["chatops"]
CMD ["serve"]
