#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The peer for bench/chat: the same room protocol as `soket chat-server` (the subset the bench
uses: /nick NAME, then lines broadcast to every other member) on Python's asyncio, or uvloop
with `uvloop` as argv[1]. Prints "Listening on ('127.0.0.1', PORT)" on stderr, as soket does."""
import asyncio
import sys

members = {}  # writer -> nick


async def client(reader, writer):
    writer.write(b"* welcome to soket chat: choose a nickname with /nick NAME\n")
    nick = None
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            line = line.rstrip(b"\r\n")
            if line.startswith(b"/nick "):
                nick = line[6:]
                members[writer] = nick
                writer.write(b"* you are " + nick + b"; " + str(len(members)).encode() + b" here\n")
            elif nick is not None and line:
                out = b"<" + nick + b"> " + line + b"\n"
                for w in members:
                    if w is not writer:
                        w.write(out)
    finally:
        members.pop(writer, None)
        writer.close()


async def main():
    server = await asyncio.start_server(client, "127.0.0.1", 0, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    print(f"Listening on ('127.0.0.1', {port})", file=sys.stderr, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "uvloop":
        import uvloop
        uvloop.install()
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
