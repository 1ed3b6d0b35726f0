#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""UDP echo benchmark: soket's DatagramServer (epoll; io_uring with datagrams on the ring, and
io_uring on readiness; with and without GRO/GSO) against a plain blocking recvfrom/sendto loop
in C, the same load for all.

Servers run on core 0, the load generator (udp/udp_load.c: connected C sockets, a window of
datagrams in flight, sent in GSO bursts so the traffic is the same for every server) on core
1. Interleaved rounds, medians; the figure that matters is the server's CPU per datagram
(utime + stime from /proc), the ratio is to the C loop's.

Usage: bench/event/udp_run.py BUILD_DIR [--repeat 3] [--seconds 2] [--only a,b]
(BUILD_DIR configured with -DSOKET_BUILD_BENCH=ON)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import CLIENT_CORE, Server  # noqa: E402

# name, clients, depth, size, burst
SCENARIOS = [
    ("ping-pong, 1 peer", 1, 1, 64, 1),
    ("100 peers", 100, 1, 64, 1),
    ("1 peer x 64 pipelined (GSO bursts of 16)", 1, 64, 512, 16),
]


def servers(build):
    ev = os.path.join(build, "bench", "event")
    soket = os.path.join(ev, "bench_soket_udp_echo")
    return {
        "soket": [soket],
        "soket-nooffload": [soket, "0", "nooffload"],
        "soket-uring": ["env", "SOKET_BACKEND=uring", soket],
        # The uring poller without the completion model: readiness polls, recvmmsg/sendmmsg
        # (the datagram path before the ring).
        "soket-uring-poll": ["env", "SOKET_BACKEND=uring", "SOKET_URING_READINESS=1", soket],
        "c-recvfrom": [os.path.join(ev, "bench_c_udp_echo")],
    }


def run_rate(build, argv, scenario, seconds):
    _, clients, depth, size, burst = scenario
    s = Server(argv)
    try:
        time.sleep(0.2)
        cpu0 = s.cpu_seconds()
        load = os.path.join(build, "bench", "event", "bench_udp_load")
        out = subprocess.run(["taskset", "-c", CLIENT_CORE, load, str(s.port), str(clients),
                              str(depth), str(size), str(seconds), str(burst)],
                             capture_output=True, text=True, timeout=seconds + 30)
        cpu = s.cpu_seconds() - cpu0
    finally:
        s.stop()
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip() or out.stdout.strip())
    r = json.loads(out.stdout)
    msgs = max(r["messages"], 1)
    return {"mps": r["messages"] / r["seconds"], "lost": r["lost"],
            "cpu_us_per_msg": cpu * 1e6 / msgs}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=2)
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    srv = servers(a.build)
    if a.only:
        srv = {k: v for k, v in srv.items() if k in a.only.split(",")}
    results = {n: {sc[0]: [] for sc in SCENARIOS} for n in srv}
    for rep in range(a.repeat):
        for sc in SCENARIOS:
            for name, argv in srv.items():
                try:
                    results[name][sc[0]].append(run_rate(a.build, argv, sc, a.seconds))
                except Exception as e:  # noqa: BLE001 - report and go on
                    print(f"{name} / {sc[0]}: {e}", file=sys.stderr)
        print(f"round {rep + 1}/{a.repeat} done", file=sys.stderr)

    def med(name, sc, key):
        xs = [r[key] for r in results[name][sc]]
        return statistics.median(xs) if xs else float("nan")

    base = "c-recvfrom"
    print("| server | " + " | ".join(sc[0] for sc in SCENARIOS) + " |")
    print("|---" * (len(SCENARIOS) + 1) + "|")
    for name in srv:
        cells = []
        for sc in SCENARIOS:
            cpu, bcpu = med(name, sc[0], "cpu_us_per_msg"), med(base, sc[0], "cpu_us_per_msg")
            cells.append(f"{med(name, sc[0], 'mps'):,.0f} dgram/s, {cpu:.2f} us cpu/dgram "
                         f"({cpu / bcpu:.2f}x cpu)")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
