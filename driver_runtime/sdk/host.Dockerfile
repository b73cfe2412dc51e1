# The driver host image: Python with the driver kit (this folder: protocol, UAST, SDK) and its
# pinned requirements, on the offline base. Every driver image builds FROM it (build argument
# HOST), so the Python side of all drivers is one layer stack, built once (docs/image-spec.md).
ARG BASE=bblfsh-lsp/base:bookworm

FROM ${BASE} AS build
# python3-venv for the virtualenv; ca-certificates makes pip trust the base's local CAs.
RUN apt-get update \
 && apt-get install -y python3 python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY driver_runtime/sdk/requirements.txt /tmp/requirements.txt
RUN python3 -m venv /opt/driver/venv \
 && /opt/driver/venv/bin/pip install --no-cache-dir --disable-pip-version-check -r /tmp/requirements.txt \
 && rm -rf /opt/driver/venv/lib/python3*/site-packages/pip* /opt/driver/venv/lib/python3*/site-packages/setuptools*
COPY driver_runtime /opt/driver/driver_runtime
RUN python3 -m compileall -q /opt/driver/driver_runtime

FROM ${BASE}
RUN apt-get update \
 && apt-get install -y python3-minimal libpython3.11-stdlib \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin driver
COPY --from=build /opt/driver /opt/driver
# BBLFSH_LSP_DRIVER_BUILD: where the drivers' Dockerfiles put what prepare.sh made (sdk/prepared.py).
ENV PATH=/opt/driver/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONPATH=/opt/driver PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    BBLFSH_LSP_DRIVER_BUILD=/opt/driver/build
USER 10001:10001
WORKDIR /tmp
