#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""HTTP static files: `soket http serve DIR` (1 loop; on epoll, where file bodies go out with
sendfile(2), and on io_uring, where they are splices on the ring) vs nginx (1 worker, sendfile on,
access_log off) vs h2o (1 thread) serving the same directory, each pinned to core 0, wrk -t1
-c100 on core 1: a 1 KiB, a 4 KiB, a 64 KiB and a 1 MiB file, and a 404. Runs interleaved and
repeated; medians. Reports requests/s and the server's CPU (utime+stime from /proc) per
request, and soket's ratios to each peer.

Usage: bench/http/files_run.py BUILD_DIR [--repeat 3] [--seconds 4] [--json out]
       [--paths /4k.bin,/missing] [--baseline OTHER_SOKET]
(BUILD_DIR: a Release build with tools/soket; nginx, h2o and wrk installed)
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver  # noqa: E402

FILES = {"1k.bin": 1024, "4k.bin": 4096, "64k.bin": 65536, "1m.bin": 1 << 20}
PATHS = ["/1k.bin", "/4k.bin", "/64k.bin", "/1m.bin", "/missing"]


def make_root(tmp):
    www = os.path.join(tmp, "www")
    os.makedirs(www, exist_ok=True)
    for name, size in FILES.items():
        with open(os.path.join(www, name), "wb") as f:
            f.write(bytes((i * 7 + 3) % 251 for i in range(size)))
        os.chmod(os.path.join(www, name), 0o644)
    for d in (tmp, www):
        os.chmod(d, 0o755)
    return www


def with_backend(backend, maker):
    """maker, started with SOKET_BACKEND=backend (the server inherits the environment)."""
    def start():
        old = os.environ.get("SOKET_BACKEND")
        os.environ["SOKET_BACKEND"] = backend
        try:
            return maker()
        finally:
            if old is None:
                del os.environ["SOKET_BACKEND"]
            else:
                os.environ["SOKET_BACKEND"] = old
    return start


def main():
    ap = driver.arguments("files_run.py", __doc__)
    ap.add_argument("--paths", default=",".join(PATHS), help="comma-separated, from: "
                    + " ".join(PATHS))
    a = ap.parse_args()
    driver.need("files_run.py")
    paths = a.paths.split(",")
    with tempfile.TemporaryDirectory(prefix="soket-bench-files-") as tmp:
        www = make_root(tmp)
        tool = os.path.join(a.build, "tools", "soket")
        makers = [("soket", with_backend("epoll", lambda: driver.soket(tool, www))),
                  ("soket-uring", with_backend("uring", lambda: driver.soket(tool, www)))]
        if a.baseline:
            makers.append(("soket-base", lambda: driver.soket(a.baseline, www)))
        makers += [
            ("nginx", lambda: driver.nginx(tmp, lambda port, d: (
                "sendfile on; default_type application/octet-stream;\n"
                f"server {{ listen 127.0.0.1:{port}; root {www}; }}"))),
            ("h2o", lambda: driver.h2o(tmp, www)),
        ]
        results = driver.run(makers, paths, a.repeat, a.seconds, errors_ok={"/missing"})
    driver.report(f"static files, wrk -t1 -c100, {a.seconds} s x {a.repeat}, medians", results,
                  a.json)


if __name__ == "__main__":
    main()
