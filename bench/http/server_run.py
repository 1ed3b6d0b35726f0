#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""HTTP server, small in-memory answer: `soket http serve --text` (1 loop) vs nginx (1 worker,
access_log off, `return 200 "..."`) vs h2o (1 thread, the same bytes from a file: h2o 2.2 has
no in-memory answer), each pinned to core 0, wrk -t1 -c100 on core 1. Runs interleaved and
repeated; medians. Reports requests/s and the server's CPU (utime+stime from /proc) per
request, and soket's ratios to each peer.

Usage: bench/http/server_run.py BUILD_DIR [--repeat 3] [--seconds 4] [--json out]
       [--baseline OTHER_SOKET]
(BUILD_DIR: a Release build with tools/soket; nginx, h2o and wrk installed)
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver  # noqa: E402

BODY = "Hello, world\n"


def h2o_root(tmp):
    www = os.path.join(tmp, "h2o-www")
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "index.txt"), "w") as f:
        f.write(BODY)
    os.chmod(os.path.join(www, "index.txt"), 0o644)
    for d in (tmp, www):
        os.chmod(d, 0o755)
    return www


def main():
    a = driver.arguments("server_run.py", __doc__).parse_args()
    driver.need("server_run.py")
    with tempfile.TemporaryDirectory(prefix="soket-bench-http-") as tmp:
        www = h2o_root(tmp)
        soket_bin = os.path.join(a.build, "tools", "soket")
        makers = [("soket", lambda: driver.soket(soket_bin, "--text", BODY))]
        if a.baseline:
            makers.append(("soket-base", lambda: driver.soket(a.baseline, "--text", BODY)))
        makers += [
            ("nginx", lambda: driver.nginx(tmp, lambda port, d: (
                f"server {{ listen 127.0.0.1:{port}; default_type text/plain;\n"
                f"location / {{ return 200 \"{BODY.strip()}\\n\"; }} }}"))),
            ("h2o", lambda: driver.h2o(tmp, www, index="index.txt")),
        ]
        results = driver.run(makers, ["/"], a.repeat, a.seconds)
    driver.report(f"small answer ({len(BODY)} bytes), wrk -t1 -c100, {a.seconds} s x "
                  f"{a.repeat}, medians", results, a.json)


if __name__ == "__main__":
    main()
