#!/usr/bin/env bash
# Installs and starts what the test suites need on a Debian machine (as root): redis-server,
# PostgreSQL (running, trust auth for `postgres` on loopback), chromium, and python3 with venv
# (the official Python openai client's test; test-prereqs.mjs makes its venv). Idempotent: on a
# machine that has everything it only checks. Used by .ci/run and by `npm test` (through
# scripts/test-prereqs.mjs) on a fresh machine.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-machine: run as root (sudo bash scripts/setup-machine.sh): it installs Debian packages" >&2
  exit 1
fi

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need_apt+=(chromium)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3 python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup-machine: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# PostgreSQL for the telemetry tests (they create and drop their own database).
if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  cluster=$(ls /etc/postgresql 2>/dev/null | head -n1)
  if [ -n "$cluster" ]; then
    pg_ctlcluster --skip-systemctl-redirect "$cluster" main start || true
    for i in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 && break; sleep 1; done
  fi
fi
# A fresh Debian cluster wants a password on 127.0.0.1; the tests connect as `postgres` without one.
if pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 && ! psql -h 127.0.0.1 -U postgres -w -c 'select 1' >/dev/null 2>&1; then
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -n1)
  sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  cluster=$(ls /etc/postgresql | head -n1)
  pg_ctlcluster --skip-systemctl-redirect "$cluster" main reload
fi
echo "setup-machine: redis-server, PostgreSQL (127.0.0.1:5432, trust), chromium and python3 (venv) are ready"
