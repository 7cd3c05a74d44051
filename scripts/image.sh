#!/usr/bin/env bash
# Build snowhook's image with podman alone: no Docker engine, no registry. The two base images are made
# locally from Debian packages with debootstrap and kept in podman's image store (made once, reused):
#   build stage    localhost/snowhook-base-build:bookworm    bookworm + openjdk-17-jdk-headless, curl
#   runtime stage  localhost/snowhook-base-runtime:trixie    trixie + openjdk-25-jre-headless, passwd
#
#   scripts/image.sh bases            make the base images that are missing
#   scripts/image.sh build [TAG]      make the bases, then build the image (default tag snowhook:local)
#
# Needs root (debootstrap) and: apt-get install podman runc slirp4netns debootstrap uidmap
# Downloaded .deb files are cached in $SNOWHOOK_IMAGE_CACHE (default ~/.cache/snowhook-image), outside
# the repository. With a registry at hand, `docker build -t snowhook .` needs none of this.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/scripts/podman/containers.conf}"
CACHE="${SNOWHOOK_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/snowhook-image}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BUILD_BASE=localhost/snowhook-base-build:bookworm
RUNTIME_BASE=localhost/snowhook-base-runtime:trixie

say() { printf '==> %s\n' "$*" >&2; }

# A debootstrap root goes, whatever state debootstrap left it in: mounts it left behind (/proc, /sys) are
# unmounted first, and rm never crosses into another file system.
remove_root() {
  awk -v root="$1/" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n1 umount -l
  rm -rf --one-file-system "$1"
}

# base IMAGE SUITE PACKAGES: debootstrap SUITE with PACKAGES into a temporary root and import it as IMAGE.
base() {
  local image=$1 suite=$2 packages=$3
  if podman image exists "$image"; then
    return
  fi
  say "making $image from Debian $suite ($packages)"
  mkdir -p "$CACHE/debs-$suite"
  local root status=0
  root="$(mktemp -d "${TMPDIR:-/tmp}/snowhook-rootfs.XXXXXX")"
  if debootstrap --variant=minbase --include="$packages" --cache-dir="$CACHE/debs-$suite" \
    "$suite" "$root" "$MIRROR" >"$CACHE/debootstrap-$suite.log" 2>&1; then
    # No package lists, no .deb files, no logs in the image.
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/log/*
    tar -C "$root" -c . | podman import --change 'CMD ["/bin/bash"]' - "$image" >/dev/null || status=$?
  else
    status=$?
    tail -20 "$CACHE/debootstrap-$suite.log" >&2
  fi
  remove_root "$root"
  return "$status"
}

bases() {
  base "$BUILD_BASE" bookworm openjdk-17-jdk-headless,curl
  base "$RUNTIME_BASE" trixie openjdk-25-jre-headless,passwd
}

build() {
  local tag=${1:-snowhook:local}
  bases
  say "building $tag"
  # --network=host and the host's CA certificates (read-only, not copied into a layer): the Maven build
  # reaches Maven Central through whatever proxy the host uses.
  podman build --pull=never --network=host -v /etc/ssl/certs:/etc/ssl/certs:ro \
    --build-arg BUILD_IMAGE="$BUILD_BASE" --build-arg RUNTIME_IMAGE="$RUNTIME_BASE" \
    -t "$tag" "$ROOT"
}

case "${1:-}" in
  bases) bases ;;
  build) shift; build "$@" ;;
  *) echo "usage: $0 bases | build [TAG]" >&2; exit 2 ;;
esac
