# The @name driver's image (docs/image-spec.md), rendered by driver_runtime/images.py from
# driver_runtime/drivers/driver.Dockerfile, the image of every driver folder without a Dockerfile
# of its own, with what the driver's manifest.json says under "image".
# Build stage: the base image with the driver's Debian packages (host-packages.txt, the same list
# as on a host: all of them), and the image-only ones its manifest lists; then the driver's
# prepare.sh, the same recipe as `bblfsh-lsp driver install @name --runtime process`, into
# /opt/driver/build.  Runtime stage: the driver host, the packages host-packages.txt marks
# `in-image` (and its manifest's runtime ones), what the build stage prepared, and the driver's
# folder (and the folders its manifest "includes").
ARG BASE
ARG HOST

FROM ${BASE} AS build
COPY driver_runtime/drivers/@name/host-packages.txt /src/@name/host-packages.txt
# (some packages, the JDK's, register man pages with update-alternatives: the folder must exist)
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && apt-get install -y --no-install-recommends @build_packages\
      $(awk '!/^#/ {print $1}' /src/@name/host-packages.txt) \
 && rm -rf /var/lib/apt/lists/*
@build_copies
RUN @{prepare_environment}sh /src/@name/prepare.sh /opt/driver/build

FROM ${HOST}
USER root
COPY driver_runtime/drivers/@name/host-packages.txt /opt/driver/driver_runtime/drivers/@name/host-packages.txt
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && apt-get install -y --no-install-recommends @runtime_packages\
      $(awk '$2 == "in-image" {print $1}' /opt/driver/driver_runtime/drivers/@name/host-packages.txt) \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*
USER 10001:10001
COPY --from=build /opt/driver/build /opt/driver/build
@runtime_copies
ENTRYPOINT ["/opt/driver/venv/bin/python3", "-I", "-B", "/opt/driver/driver_runtime/sdk/launch.py", "-m", "driver_runtime.drivers.@name"]
