#!/usr/bin/env python3
"""Slow clients (a slowloris) against a server on loopback.

    slowloris.py hold HOST PORT PATH ADDRS PER_ADDR [-- CMD...]
        Open PER_ADDR connections from each of ADDRS (comma-separated loopback
        source addresses, e.g. 127.0.0.2,127.0.0.3), each sending a request
        line and a first header, then one more header line every 5 s, never
        finishing. Then run CMD (the real sender) and print
        "open N refused M elapsed S rc R" -- N slow connections the server
        kept, M it refused or closed at once, S seconds CMD took -- and CMD's
        output. Exits with CMD's status (0 without CMD).

    slowloris.py trickle HOST PORT PATH INTERVAL
        One connection that sends a header line every INTERVAL seconds and
        never finishes; prints "closed after S status LINE" once the server
        closes it (LINE: the status line it sent, or "none"), or "still open"
        after 120 s.

    slowloris.py idle HOST PORT
        One connection that sends nothing; prints the same as trickle.
"""
import os
import resource
import select
import socket
import subprocess
import sys
import threading
import time


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def start(host, port, path, src):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(5)
    s.connect((host, port))
    s.sendall(b"POST %s HTTP/1.1\r\nHost: %s\r\nX-Slow-0: 1\r\n" % (path.encode(), host.encode()))
    return s


def closed(s):
    """Whether the server closed (or reset) the connection."""
    try:
        r, _, _ = select.select([s], [], [], 0)
        if not r:
            return False
        return s.recv(4096, socket.MSG_PEEK) == b""
    except OSError:
        return True


def hold(host, port, path, addrs, per_addr, cmd):
    raise_fd_limit()
    socks, refused = [], 0
    for src in addrs.split(","):
        for _ in range(per_addr):
            try:
                socks.append(start(host, port, path, src))
            except OSError:
                refused += 1
    stop = threading.Event()

    def trickle():
        n = 1
        while not stop.wait(5):
            for s in socks:
                try:
                    s.sendall(b"X-Slow-%d: 1\r\n" % n)
                except OSError:
                    pass
            n += 1

    t = threading.Thread(target=trickle, daemon=True)
    t.start()
    # Let the server close what it refuses (slower under valgrind).
    time.sleep(0.5 * float(os.environ.get("ONTRA_TEST_TIME_SCALE", "1")))
    still = [s for s in socks if not closed(s)]
    refused += len(socks) - len(still)
    rc, out, elapsed = 0, b"", 0.0
    if cmd:
        t0 = time.monotonic()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        elapsed = time.monotonic() - t0
        rc, out = p.returncode, p.stdout
    print("open %d refused %d elapsed %.3f rc %d" % (len(still), refused, elapsed, rc))
    sys.stdout.write(out.decode(errors="replace"))
    stop.set()
    for s in socks:
        s.close()
    return rc


def trickle_one(host, port, path, interval):
    if path is None:
        s = socket.create_connection((host, port), timeout=5)
    else:
        s = start(host, port, path, "127.0.0.1")
    t0 = time.monotonic()
    got = b""
    n = 1
    while time.monotonic() - t0 < 120:
        r, _, _ = select.select([s], [], [], interval)
        if r:
            try:
                chunk = s.recv(4096)
            except OSError:
                chunk = b""
            if chunk:
                got += chunk
                continue
            line = got.split(b"\r\n", 1)[0].decode(errors="replace") if got else "none"
            print("closed after %.1f status %s" % (time.monotonic() - t0, line))
            return 0
        try:
            if path is not None:
                s.sendall(b"X-Slow-%d: 1\r\n" % n)
        except OSError:
            pass
        n += 1
    print("still open")
    return 1


def main(argv):
    if len(argv) >= 7 and argv[1] == "hold":
        cmd = argv[argv.index("--") + 1:] if "--" in argv else []
        return hold(argv[2], int(argv[3]), argv[4], argv[5], int(argv[6]), cmd)
    if len(argv) == 6 and argv[1] == "trickle":
        return trickle_one(argv[2], int(argv[3]), argv[4], float(argv[5]))
    if len(argv) == 4 and argv[1] == "idle":
        return trickle_one(argv[2], int(argv[3]), None, 0.3)
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
