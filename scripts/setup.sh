#!/usr/bin/env bash
# Installs what soket needs on a fresh Debian 12 machine (as root), from Debian's packages only.
# Does nothing when everything is already there. Usage: scripts/setup.sh [--bench]
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config git clang-format   # toolchain
  libgtest-dev libgmock-dev                 # tests
  libcli11-dev libfmt-dev nlohmann-json3-dev libssl-dev   # the soket tool
  help2man                                  # the soket tool's man pages
  python3 netcat-openbsd socat iproute2 iputils-ping procps  # real peers for interop tests
  clang libclang-rt-14-dev clang-tidy       # fuzzing (libFuzzer, ASan+UBSan) and clang-tidy
  iptables libnetfilter-queue-dev util-linux   # fault tests: loss, resets, delay; unshare, prlimit
  curl                                      # HTTP peer: the parser reads what curl sends
  libpcap-dev tshark                        # soket sniff's filter compiler; reading its pcaps back
  nmap nftables                             # soket scan vs nmap -sT; ping's total-loss test
  wrk                                       # HTTP server under load (http_server_peers_test)
  nginx-light openssl                       # HTTP client peers: nginx, openssl s_server -WWW
  vsftpd python3-pyftpdlib python3-openssl libpam-modules  # FTP peers (pam_userdb: vsftpd's test user)
  inetutils-telnetd gophernicus systemd          # news lane peers: telnetd, gophernicus (both
                                            # behind systemd-socket-activate), INN below
  python3-aiosmtpd dovecot-imapd dovecot-pop3d          # mail peers: SMTP, IMAP4, POP3
)
if [[ ${1:-} == --bench ]]; then
  # Peers the benchmarks measure soket against.
  packages+=(libbenchmark-dev libasio-dev libuv1-dev libpoco-dev python3-uvloop iperf3 util-linux
             openssl       # openssl speed: the SHA-256 ceiling of bench/transfer
             h2o           # bench/http: the HTTP server vs nginx and h2o
             liburing-dev) # bench/event's C io_uring echo reference
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# INN (the NNTP peer) cannot be installed with a plain apt-get on a host whose name has no
# domain: its postinst fails and leaves apt broken. scripts/install-inn2.sh works around it.
if ! dpkg-query -W -f='${Status}' inn2 2>/dev/null | grep -q "install ok installed"; then
  bash "$(dirname "$0")/install-inn2.sh"
fi
