#!/usr/bin/env python3
"""File transfer of one file on loopback, tmpfs to tmpfs: soket send/receive (SHA-256 on, and
--no-verify) against nc and socat piping the same file and iperf3's memory-to-memory single
stream, in the same run; and OpenSSL's single-core SHA-256 rate, the ceiling of a verified
transfer. Receiver on CPU 1, sender on CPU 0. Each tool runs --repeat times, interleaved; the
median rate is reported, with ratios. Receiver CPU seconds per GiB (utime+stime of the
receiving process) are printed too: the steadier figure on a shared machine.

usage: bench/transfer/run.py SOKET_TOOL [--size-mib 1024] [--repeat 3]
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_listening(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True)
        if out.stdout.strip():
            return
        time.sleep(0.02)
    raise RuntimeError(f"nothing listens on {port}")


def pin(cpu):
    return ["taskset", "-c", str(cpu)] if shutil.which("taskset") and os.cpu_count() > 1 else []


def timed_pair(receiver_argv, sender_argv, port, out_path=None):
    """Starts the receiver, waits for its port, runs the sender; returns (seconds, receiver cpu
    seconds). The clock runs from the sender's start to the receiver's exit."""
    if out_path and os.path.exists(out_path):
        os.unlink(out_path)
    stdout = open(out_path, "wb") if out_path else subprocess.DEVNULL
    rcv = subprocess.Popen(pin(1) + receiver_argv, stdout=stdout, stderr=subprocess.DEVNULL)
    wait_listening(port)
    t0 = time.monotonic()
    snd = subprocess.run(pin(0) + sender_argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=300)
    # The receiver's own CPU time, from wait4.
    _, status, usage = os.wait4(rcv.pid, 0)
    rcv.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - t0
    if stdout is not subprocess.DEVNULL:
        stdout.close()
    if snd.returncode != 0 or rcv.returncode != 0:
        raise RuntimeError(f"{sender_argv[0]} failed: {snd.returncode}/{rcv.returncode} "
                           f"{snd.stderr.decode()[-300:]}")
    return seconds, usage.ru_utime + usage.ru_stime, snd.stdout.decode()


def run_soket(tool, src, work, verify):
    dst = os.path.join(work, "dst-soket")
    os.makedirs(dst, exist_ok=True)
    target = os.path.join(dst, os.path.basename(src))
    if os.path.exists(target):
        os.unlink(target)
    port = free_port()
    extra = [] if verify else ["--no-verify"]
    seconds, cpu, _ = timed_pair([tool, "receive", "-q", "--once", "--dir", dst, str(port)],
                                 [tool, "send", "-q", *extra, src, "127.0.0.1", str(port)], port)
    return seconds, cpu, target


def run_nc(src, work):
    out = os.path.join(work, "out-nc")
    port = free_port()
    seconds, cpu, _ = timed_pair(["nc", "-l", "127.0.0.1", str(port)],
                                 ["sh", "-c", f'exec nc -N 127.0.0.1 {port} < "$0"', src],
                                 port, out_path=out)
    return seconds, cpu, out


def run_socat(src, work):
    out = os.path.join(work, "out-socat")
    port = free_port()
    seconds, cpu, _ = timed_pair(
        ["socat", "-u", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr", f"OPEN:{out},creat,trunc"],
        ["socat", "-u", f"OPEN:{src}", f"TCP:127.0.0.1:{port}"], port)
    return seconds, cpu, out


def run_iperf3(size):
    port = free_port()
    seconds, cpu, out = timed_pair(["iperf3", "-s", "-1", "-p", str(port)],
                                   ["iperf3", "-c", "127.0.0.1", "-p", str(port), "-n",
                                    str(size), "-J"], port)
    j = json.loads(out)
    rate = j["end"]["sum_received"]["bits_per_second"] / 8
    return size / rate, cpu, None


def openssl_sha256_rate():
    out = subprocess.run(["openssl", "speed", "-seconds", "3", "-bytes", "1048576", "-evp",
                          "sha256"], capture_output=True, text=True, timeout=60).stdout
    line = [l for l in out.splitlines() if l.startswith("sha256")][-1]
    return float(line.split()[-1].rstrip("k")) * 1000  # bytes/s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tool")
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    size = args.size_mib << 20
    for peer in ("nc", "socat", "iperf3", "openssl", "ss"):
        if not shutil.which(peer):
            sys.exit(f"{peer} is missing (scripts/setup.sh --bench installs the peers)")
    base = "/dev/shm" if shutil.disk_usage("/dev/shm").free > 4 * size else None
    work = tempfile.mkdtemp(prefix="soket-bench-transfer-", dir=base)
    try:
        src = os.path.join(work, "file.bin")
        with open(src, "wb") as f:
            for _ in range(size >> 20):
                f.write(os.urandom(1 << 20))
        want = hashlib.sha256(open(src, "rb").read()).hexdigest()
        runs = {"soket (sha256)": [], "soket --no-verify": [], "nc": [], "socat": [],
                "iperf3 (memory)": []}
        for _ in range(args.repeat):
            for name in runs:
                if name == "soket (sha256)":
                    r = run_soket(args.tool, src, work, True)
                elif name == "soket --no-verify":
                    r = run_soket(args.tool, src, work, False)
                elif name == "nc":
                    r = run_nc(src, work)
                elif name == "socat":
                    r = run_socat(src, work)
                else:
                    r = run_iperf3(size)
                seconds, cpu, out = r
                if out is not None:
                    got = hashlib.sha256(open(out, "rb").read()).hexdigest()
                    if got != want:
                        sys.exit(f"{name}: the file arrived different")
                    os.unlink(out)
                runs[name].append((size / seconds, cpu))
        sha = openssl_sha256_rate()
    finally:
        shutil.rmtree(work)

    med = {n: statistics.median(r for r, _ in v) for n, v in runs.items()}
    cpu = {n: statistics.median(c for _, c in v) / (size / (1 << 30)) for n, v in runs.items()}
    print(f"{args.size_mib} MiB, tmpfs to tmpfs, loopback, {args.repeat} runs each (median); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'tool':<20} {'MB/s':>8} {'receiver cpu s/GiB':>20}")
    for n in runs:
        print(f"{n:<20} {med[n] / 1e6:>8.0f} {cpu[n]:>20.2f}")
    print(f"{'openssl sha256 1 core':<20} {sha / 1e6:>8.0f}")
    v, nv = med["soket (sha256)"], med["soket --no-verify"]
    print(f"soket (sha256) / socat     = {v / med['socat']:.2f}x   (target >= 2x)")
    print(f"soket (sha256) / nc        = {v / med['nc']:.2f}x")
    print(f"soket (sha256) / sha256    = {v / sha:.2f}x of OpenSSL's single-core SHA-256")
    print(f"soket --no-verify / iperf3 = {nv / med['iperf3 (memory)']:.2f}x   (target >= 0.8x)")
    print(f"hash cost: --no-verify is {nv / v:.2f}x the verified rate")


if __name__ == "__main__":
    main()
