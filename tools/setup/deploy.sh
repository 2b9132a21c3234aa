#!/usr/bin/env bash
# deploy.sh — what the deployment rehearsal (module deploy-tests) and the image build (profile "images") need:
#   - Debian's podman (as root, runtime runc: crun fails on this machine kind's hybrid cgroups), docker-compose
#     and debootstrap;
#   - podman's Docker-compatible socket /run/podman/podman.sock (docker-compose talks to it; its presence
#     activates the Maven profile "images");
#   - two base images built from Debian packages, since there is no public container registry here:
#       localhost/promptloop/jre:25        Debian trixie + openjdk-25-jre-headless (base of every Java image; not 21:
#                                          ingest's Kafka consumers on virtual threads pin Java 21's carrier threads
#                                          and starve its HTTP server on 2 CPUs, JDK 24+ no longer pins them)
#       localhost/promptloop/postgres:17   the same + postgresql-17 (stands in for docker.io/postgres:17)
# Idempotent: a second run checks and returns in about a second. The root filesystems are cached in
# /var/cache/promptloop-deploy, so a machine that lost its podman store rebuilds in seconds, not minutes.
set -euo pipefail

# iptables: netavark (podman's network stack) calls it; --no-install-recommends leaves it out, and without it every
# RUN step of an image build fails with "netavark: No such file or directory (os error 2)"
packages=(podman runc docker-compose debootstrap netavark aardvark-dns iptables)
socket=/run/podman/podman.sock
cache=/var/cache/promptloop-deploy
mirror=http://deb.debian.org/debian
suite=trixie

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "$(id -u)" != 0 ]; then
  [ ${#missing[@]} -eq 0 ] || echo "deploy.sh: not root; missing packages: ${missing[*]} (the deployment rehearsal will skip)"
  exit 0
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "deploy.sh: installing ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
fi

conf=/etc/containers/containers.conf
want='# written by promptloop tools/setup/deploy.sh: crun fails on this machine kind'"'"'s hybrid cgroups; runc works
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"'
if [ "$(cat "$conf" 2>/dev/null)" != "$want" ]; then
  if [ -s "$conf" ] && ! grep -q 'promptloop tools/setup/deploy.sh' "$conf"; then
    cp "$conf" "$conf.before-promptloop"
  fi
  mkdir -p /etc/containers
  printf '%s\n' "$want" > "$conf"
fi

# A debootstrapped Debian with a Java 25 runtime (and curl, for healthchecks), cached as a tarball.
jre_rootfs() {
  local tarball=$cache/jre25.tar
  [ -s "$tarball" ] && return
  local dir=$cache/jre25.rootfs
  rm -rf "$dir"; mkdir -p "$cache"
  echo "deploy.sh: debootstrap $suite with openjdk-25-jre-headless (about 2 minutes)"
  debootstrap --variant=minbase --include=ca-certificates,curl,openjdk-25-jre-headless "$suite" "$dir" "$mirror" \
    > "$cache/jre25.debootstrap.log" 2>&1 || { tail -20 "$cache/jre25.debootstrap.log"; exit 1; }
  chroot "$dir" apt-get clean
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/*
  tar -C "$dir" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
  rm -rf "$dir"
}

# The same plus Debian's postgresql-17 (installed in a chroot: no cluster, no service started).
postgres_rootfs() {
  local tarball=$cache/postgres.tar
  [ -s "$tarball" ] && return
  jre_rootfs
  local dir=$cache/postgres.rootfs
  rm -rf "$dir"; mkdir -p "$dir"
  tar -C "$dir" -xf "$cache/jre25.tar"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  mkdir -p "$dir/etc/postgresql-common"
  echo "create_main_cluster = false" > "$dir/etc/postgresql-common/createcluster.conf"
  printf '#!/bin/sh\nexit 101\n' > "$dir/usr/sbin/policy-rc.d"; chmod 755 "$dir/usr/sbin/policy-rc.d"
  echo "deploy.sh: installing postgresql-17 into a copy of the base (about 30 seconds)"
  chroot "$dir" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-17 && apt-get clean' \
    > "$cache/postgres.apt.log" 2>&1 || { tail -20 "$cache/postgres.apt.log"; exit 1; }
  rm -rf "$dir"/var/lib/apt/lists/* "$dir/usr/sbin/policy-rc.d"
  tar -C "$dir" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
  rm -rf "$dir"
}

image_exists() { podman image exists "$1" 2>/dev/null; }

if ! image_exists localhost/promptloop/jre:25; then
  jre_rootfs
  podman import -q \
    --change 'ENV JAVA_HOME=/usr/lib/jvm/java-25-openjdk-amd64' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'USER 1001:1001' \
    "$cache/jre25.tar" localhost/promptloop/jre:25 > /dev/null
  echo "deploy.sh: image localhost/promptloop/jre:25 imported"
  rm -f "$cache/jre25-image.tar"
fi
# Jib (profile "images") reads the base image from this archive: its docker:// mode cannot parse podman's
# `inspect` output, and there is no registry to pull from
if [ ! -s "$cache/jre25-image.tar" ]; then
  podman save -q --format docker-archive -o "$cache/jre25-image.tar.partial" localhost/promptloop/jre:25
  mv "$cache/jre25-image.tar.partial" "$cache/jre25-image.tar"
fi

if ! image_exists localhost/promptloop/postgres:17; then
  postgres_rootfs
  podman import -q \
    --change 'ENV PATH=/usr/lib/postgresql/17/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PGDATA=/var/lib/postgresql/data' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'USER postgres' \
    --change 'ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]' \
    "$cache/postgres.tar" localhost/promptloop/postgres:17-rootfs > /dev/null
  here=$(cd "$(dirname "$0")/../.." && pwd)
  podman build -q -t localhost/promptloop/postgres:17 -f "$here/deploy/ci/postgres/Containerfile" "$here/deploy/ci/postgres" > /dev/null
  podman rmi localhost/promptloop/postgres:17-rootfs > /dev/null
  echo "deploy.sh: image localhost/promptloop/postgres:17 built"
fi

# the Docker-compatible API for docker-compose; no systemd here, so a plain background process
if ! curl -fsS --unix-socket "$socket" http://d/_ping > /dev/null 2>&1; then
  mkdir -p "$(dirname "$socket")" /var/log/promptloop
  # in its own session: it must outlive the shell (and process group) that ran this script; from / because every
  # container's conmon starts in the service's working directory, and a checkout removed under a running service
  # failed every later container with "write child: broken pipe" ("conmon: Failed to get working directory")
  (cd / && setsid nohup podman system service --time=0 "unix://$socket" > /var/log/promptloop/podman-service.log 2>&1 < /dev/null &)
  for _ in $(seq 50); do
    curl -fsS --unix-socket "$socket" http://d/_ping > /dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fsS --unix-socket "$socket" http://d/_ping > /dev/null || { echo "deploy.sh: podman system service did not start"; exit 1; }
  echo "deploy.sh: podman API on $socket"
fi

# Offline validation of the rendered Kubernetes manifests (KubernetesManifestsIT): the OpenAPI schemas of
# Kubernetes, KEDA and the Prometheus operator as npm packages; kustomize is the one built into kubectl.
models=$cache/k8s-validate
if command -v npm > /dev/null && [ ! -f "$models/node_modules/.promptloop-1" ]; then
  mkdir -p "$models"
  [ -f "$models/package.json" ] || echo '{"name":"promptloop-k8s-validate","private":true}' > "$models/package.json"
  (cd "$models" && npm install --no-audit --no-fund --silent \
    kubernetes-models@5.1.0 @kubernetes-models/keda@2.0.0 @kubernetes-models/prometheus-operator@6.0.0 yaml@2.9.1) \
    && touch "$models/node_modules/.promptloop-1"
fi
command -v kubectl > /dev/null || echo "deploy.sh: kubectl (for kubectl kustomize) is missing: KubernetesManifestsIT will skip"
