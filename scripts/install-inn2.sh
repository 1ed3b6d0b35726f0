#!/usr/bin/env bash
# Installs inn2 (INN, the NNTP tests' server) on a host whose name has no domain. There the
# package's postinst stops ("innconfval: hostname does not resolve or domain not set in
# inn.conf"), leaving inn2 half-configured and every later apt-get install failing too. The
# configure step is re-run with INNCONF pointing at a copy of the packaged inn.conf plus a
# domain; /etc/news/inn.conf stays as shipped. No daemon starts (the tests run INN from a
# private directory: tests/support/servers/inn2.sh).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends inn2 && exit 0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
cp /etc/news/inn.conf "$tmp"
echo "domain: localdomain" >> "$tmp"
INNCONF=$tmp dpkg --configure -a
