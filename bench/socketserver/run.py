#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""socketserver benchmark: soket's ThreadingTCPServer echo vs Python's socketserver.ThreadingTCPServer
with the same echo handler, under the same load from one C++ load generator.

Scenarios: 1 client ping-pong, 100 clients, 50 clients x 16 pipelined messages (64-byte
messages). Runs are interleaved (soket, Python, soket, ...) and repeated; prints the median
messages/s of each and the ratio soket/Python. Nothing is pinned by default: on this VM a
wakeup across cores costs more than the work (pinned ping-pong drops ~30x for both servers);
--pin puts the server on core 0 and the load generator on core 1 (taskset).

    bench/socketserver/run.py --build-dir build-bench [--seconds 5] [--repeats 3]
"""
import argparse
import os
import signal
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = [
    ("ping-pong, 1 client", 1, 1),
    ("100 clients", 100, 1),
    ("50 clients x 16 pipelined", 50, 16),
]


PIN = {"server": [], "load": []}


def start(argv):
    proc = subprocess.Popen(PIN["server"] + argv, stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    return proc, port


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_load(loadgen, port, conns, pipeline, size, seconds):
    out = subprocess.run(PIN["load"] + [loadgen, str(port), str(conns), str(pipeline), str(size), str(seconds)],
                         check=True, capture_output=True, text=True, timeout=seconds + 60)
    return float(out.stdout.strip())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", required=True, help="a build with -DSOKET_BUILD_BENCH=ON")
    ap.add_argument("--seconds", type=float, default=5.0, help="measured seconds per run")
    ap.add_argument("--repeats", type=int, default=3, help="runs per server and scenario")
    ap.add_argument("--size", type=int, default=64, help="message size in bytes")
    ap.add_argument("--pin", action="store_true", help="pin server to core 0, load to core 1")
    args = ap.parse_args()
    if args.pin:
        PIN["server"] = ["taskset", "-c", "0"]
        PIN["load"] = ["taskset", "-c", "1"]

    bench = os.path.join(args.build_dir, "bench", "socketserver")
    loadgen = os.path.join(bench, "bench_echo_loadgen")
    servers = {
        "soket": [os.path.join(bench, "bench_socketserver_echo")],
        "python": [sys.executable, os.path.join(HERE, "echo_server.py")],
    }
    pinned = "server on core 0, load on core 1" if PIN["server"] else "not pinned"
    print(f"# {args.repeats} x {args.seconds:g} s per server and scenario, {args.size}-byte "
          f"messages, interleaved, {pinned}; python {sys.version.split()[0]}")
    print(f"| scenario | soket msg/s | Python msg/s | soket/Python |")
    print(f"|---|---:|---:|---:|")
    for name, conns, pipeline in SCENARIOS:
        results = {k: [] for k in servers}
        for _ in range(args.repeats):
            for key, argv in servers.items():  # interleaved: soket, python, soket, ...
                proc, port = start(argv)
                try:
                    results[key].append(run_load(loadgen, port, conns, pipeline, args.size,
                                                 args.seconds))
                finally:
                    stop(proc)
        s = statistics.median(results["soket"])
        p = statistics.median(results["python"])
        print(f"| {name} | {s:,.0f} | {p:,.0f} | {s / p:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
