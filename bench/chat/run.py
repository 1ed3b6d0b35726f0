#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Chat fan-out: `soket chat-server` against the same room on Python's asyncio (and uvloop when
installed), in the same run.

1,000 clients join the room; 10 of them send, round after round, 10 lines each; a round ends
when every other client has received every line of it (closed loop: nothing queues without
bound, no client is dropped). Reported per server: lines delivered per second (to clients),
server CPU seconds per million deliveries (utime+stime from /proc), and server memory per
client (RSS growth from the empty room to 1,000 joined clients, divided by 1,000).
The servers run on core 0 (soket with its loops there: --threads 1, and --threads 2 on both
cores), the load generator (this script, epoll) on core 1. soket batches its sends (one per
member per loop turn; `--no-batch` sends each delivery at once, also measured).

Usage: bench/chat/run.py BUILD_DIR [--clients 1000] [--seconds 5] [--repeat 3]
"""
import argparse
import os
import re
import resource
import select
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Server:
    def __init__(self, argv, cores):
        self.p = subprocess.Popen(["taskset", "-c", cores] + argv, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE,
                                  text=True)
        line = self.p.stderr.readline()
        m = re.search(r", (\d+)\)$", line.strip())
        if not m:
            raise SystemExit(f"server did not start: {line!r}")
        self.port = int(m.group(1))

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def run_one(argv, cores, clients, seconds):
    server = Server(argv, cores)
    try:
        time.sleep(0.2)
        rss0 = rss_kib(server.p.pid)
        ep = select.epoll()
        socks, pending = [], {}
        for i in range(clients):
            s = socket.create_connection(("127.0.0.1", server.port))
            s.sendall(f"/nick u{i}\n".encode())
            socks.append(s)
        # Wait for every "* you are" before measuring.
        joined = 0
        for s in socks:
            s.settimeout(120)
            buf = b""
            while b"* you are" not in buf:
                try:
                    data = s.recv(65536)
                except socket.timeout:
                    raise SystemExit(f"{argv[0]}: client {joined} not joined after 120 s")
                if not data:
                    raise SystemExit(f"{argv[0]}: client {joined} disconnected while joining")
                buf += data
            s.setblocking(False)
            ep.register(s.fileno(), select.EPOLLIN)
            pending[s.fileno()] = 0
            joined += 1
        # Drain the join notices (client i hears of every later one) until the room is quiet.
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < 0.3:
            for fd, _ in ep.poll(0.1):
                if os.read(fd, 1 << 16):
                    quiet_since = time.monotonic()
        rss1 = rss_kib(server.p.pid)
        senders = socks[:10]
        per_round = 10
        line = b"x" * 40 + b"\n"
        batch = line * per_round
        cpu0 = cpu_seconds(server.p.pid)
        t0 = time.monotonic()
        delivered = 0
        rounds = 0
        counts = {s.fileno(): 0 for s in socks}
        while time.monotonic() - t0 < seconds:
            for s in senders:
                s.setblocking(True)
                s.sendall(batch)
                s.setblocking(False)
            rounds += 1
            # Senders do not hear themselves: each gets 9 senders' lines, the others 10.
            want = {fd: rounds * per_round * (9 if i < 10 else 10)
                    for i, fd in enumerate(s.fileno() for s in socks)}
            left = sum(1 for fd in want if counts[fd] < want[fd])
            deadline = time.monotonic() + 30
            while left and time.monotonic() < deadline:
                for fd, _ in ep.poll(1):
                    data = os.read(fd, 1 << 16)
                    if not data:
                        raise SystemExit("a client was disconnected")
                    before = counts[fd] < want[fd]
                    counts[fd] += data.count(b"\n")
                    if before and counts[fd] >= want[fd]:
                        left -= 1
            if left:
                raise SystemExit("a round did not complete in 30 s")
        elapsed = time.monotonic() - t0
        cpu = cpu_seconds(server.p.pid) - cpu0
        delivered = sum(counts.values())
        for s in socks:
            s.close()
        ep.close()
        return {
            "rate": delivered / elapsed,
            "cpu_per_million": cpu / delivered * 1e6,
            "bytes_per_client": (rss1 - rss0) * 1024 / clients,
        }
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    os.sched_setaffinity(0, {1})
    tool = os.path.join(args.build, "tools", "soket")
    py = "/usr/bin/python3"
    peer = os.path.join(HERE, "peers", "asyncio_chat.py")
    servers = {
        "soket 1 loop": ([tool, "chat-server", "--threads", "1", "0"], "0"),
        "soket 2 loops": ([tool, "chat-server", "--threads", "2", "0"], "0,1"),
        "soket no-batch": ([tool, "chat-server", "--threads", "1", "--no-batch", "0"], "0"),
        "asyncio": ([py, peer], "0"),
    }
    try:
        subprocess.run([py, "-c", "import uvloop"], check=True, capture_output=True)
        servers["uvloop"] = ([py, peer, "uvloop"], "0")
    except subprocess.CalledProcessError:
        print("(uvloop not installed: skipped)")
    results = {name: [] for name in servers}
    for _ in range(args.repeat):
        for name, (argv, cores) in servers.items():  # interleaved: the same noise for all
            print(f"  {name} ...", file=sys.stderr, flush=True)
            results[name].append(run_one(argv, cores, args.clients, args.seconds))
    base = statistics.median(r["rate"] for r in results["asyncio"])
    print(f"chat fan-out, {args.clients} clients, 10 senders x 10 lines per round "
          f"(medians of {args.repeat})")
    print(f"{'server':<15}{'lines/s':>12}{'vs asyncio':>12}{'CPU s/M':>10}{'B/client':>10}")
    for name, rs in results.items():
        rate = statistics.median(r["rate"] for r in rs)
        cpu = statistics.median(r["cpu_per_million"] for r in rs)
        mem = statistics.median(r["bytes_per_client"] for r in rs)
        print(f"{name:<15}{rate:>12,.0f}{rate / base:>11.2f}x{cpu:>10.2f}{mem:>10,.0f}")


if __name__ == "__main__":
    main()
