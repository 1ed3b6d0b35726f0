# SPDX-License-Identifier: MIT
"""What the benchmarks that measure a server's CPU share: the server on one core and the load
on the other (taskset -c), a process's CPU time (utime + stime) from /proc, a free port."""
import os
import socket

SERVER_CORE, CLIENT_CORE = "0", "1"
CLK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """The CPU time (user + system) process `pid` has used so far, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()  # the name may hold spaces and ')'
    return (int(fields[11]) + int(fields[12])) / CLK


def free_port():
    """A TCP port nothing listens on at 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
