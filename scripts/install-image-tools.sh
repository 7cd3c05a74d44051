#!/usr/bin/env bash
# What ContainerImageIT needs to build and start the image without a Docker engine or a registry: podman
# (with runc and slirp4netns) and debootstrap for the local Debian base images, from Debian's packages.
# Does nothing where they are installed; says why and does nothing where it cannot install (not root, no apt).
set -euo pipefail
missing=()
for tool in podman runc slirp4netns debootstrap newuidmap; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-image-tools: ${missing[*]} missing and apt-get unavailable to this user: ContainerImageIT will skip" >&2
  exit 0
fi
echo "install-image-tools: installing podman runc slirp4netns debootstrap uidmap" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq podman runc slirp4netns debootstrap uidmap >/dev/null
