#!/usr/bin/env bash
# Installs what Cruddur's tests need on a fresh Debian 12 machine of this project's kind, and nothing else.
# Idempotent, runs as root without stdin. Starts no service: tests/Stack/CruddurStack.psm1 starts its own, on 127.0.0.1.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
# needrestart (pulled in on some images) would otherwise try to prompt about restarting services.
export NEEDRESTART_SUSPEND=1

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (apt-get install)"

# Another apt-get may hold the lock for a while (e.g. a session's own install); wait rather than fail.
apt_opts=(-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
updated=0
apt_update_once() {
    if [ "$updated" -eq 0 ]; then
        say "apt-get update"
        apt-get "${apt_opts[@]}" update >/dev/null
        updated=1
    fi
}
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Package -> why. docker.io: dockerd for real image builds; docker-registry: the registry behind moto's ECR;
# apache2-utils: htpasswd for that registry; busybox-static: the only base "image" content available offline;
# ruby: the reference ERB that New-CruddurEnvFile's output is compared with.
missing=()
for pkg in docker.io docker-registry apache2-utils busybox-static ruby; do
    if installed "$pkg"; then say "$pkg: already installed"; else missing+=("$pkg"); fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    apt_update_once
    say "apt-get install ${missing[*]}"
    apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}" >/dev/null
fi

# podman is optional: the podman tests skip without it.
if installed podman; then
    say "podman: already installed"
else
    apt_update_once
    say "apt-get install podman (optional)"
    if ! apt-get "${apt_opts[@]}" install --no-install-recommends podman >/dev/null; then
        say "podman could not be installed; podman tests will be skipped"
    fi
fi

# PostgreSQL 15 server binaries come with this machine kind; install them only when missing.
if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    say "PostgreSQL server: $(initdb --version)"
elif [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    say "PostgreSQL 15 server: in /usr/lib/postgresql/15/bin (not on PATH; the harness finds it there)"
else
    apt_update_once
    say "apt-get install postgresql-15 postgresql-client-15"
    apt-get "${apt_opts[@]}" install --no-install-recommends postgresql-15 postgresql-client-15 >/dev/null
fi

# moto and the AWS CLI come with the machine's Python. There is no PyPI here, so they cannot be installed: fail clearly.
for tool in moto_server aws; do
    command -v "$tool" >/dev/null || die "$tool is not on PATH. It ships with this machine kind's Python (moto[server], awscli); no PyPI is reachable to install it."
done
say "moto_server: $(command -v moto_server); aws: $(aws --version 2>&1 | head -n1)"

for tool in dockerd docker docker-registry htpasswd busybox ruby; do
    command -v "$tool" >/dev/null || die "$tool missing after install"
done

say "dotnet tool restore"
(cd "$repo" && dotnet tool restore >/dev/null)
say "done"
