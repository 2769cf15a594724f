#!/usr/bin/env python3
"""A TCP proxy in front of PostgreSQL that can lose a store's answer.

    pgproxy.py LISTEN_PORT UPSTREAM_PORT CONTROL_DIR

Forwards every connection on 127.0.0.1:LISTEN_PORT to 127.0.0.1:UPSTREAM_PORT,
and prints "ready" once listening. Steered by files in CONTROL_DIR:

    lose-answer   the next store a receiver runs (the Bind of a prepared
                  statement pgq_store_N, not a move from the spool) goes to
                  the server, which runs and commits it; the
                  proxy waits for the server's ReadyForQuery (sent only after
                  the commit), then cuts the connection instead of passing the
                  answer on: the client cannot know the store was made. The
                  file is removed then; "lost" is appended to CONTROL_DIR/log.
                  When the file holds "refuse", CONTROL_DIR/refuse is made
                  before the cut.
    refuse        while it exists, new connections are closed at once (the
                  database is away); open ones keep working.
"""
import os
import re
import socket
import sys
import threading

# Bind (type, int32 length, the unnamed portal) of a receiver's prepared store, not a move
STORE = re.compile(rb"B[\s\S]{4}\x00pgq_store_")
READY = b"Z\x00\x00\x00\x05"  # ReadyForQuery: the statement's transaction is over


def close(*socks):
    for s in socks:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


class Link:
    def __init__(self, client, server, ctl):
        self.client, self.server, self.ctl = client, server, ctl
        self.losing = False

    def upstream(self):
        """Client to server; marks the link when the store to lose goes by."""
        path = os.path.join(self.ctl, "lose-answer")
        try:
            while True:
                data = self.client.recv(65536)
                if not data:
                    break
                if STORE.search(data) and os.path.exists(path):
                    with open(path) as f:
                        refuse = f.read().strip() == "refuse"
                    os.remove(path)
                    if refuse:
                        open(os.path.join(self.ctl, "refuse"), "w").close()
                    self.losing = True
                self.server.sendall(data)
        except OSError:
            pass
        close(self.client, self.server)

    def downstream(self):
        """Server to client; a marked link is cut once the store's transaction is over."""
        seen = b""
        try:
            while True:
                data = self.server.recv(65536)
                if not data:
                    break
                if self.losing:
                    seen += data
                    if READY in seen:
                        with open(os.path.join(self.ctl, "log"), "a") as f:
                            f.write("lost\n")
                        break
                    continue
                self.client.sendall(data)
        except OSError:
            pass
        close(self.client, self.server)


def main():
    listen_port, upstream_port, ctl = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", listen_port))
    lsock.listen(64)
    print("ready", flush=True)
    while True:
        client, _ = lsock.accept()
        if os.path.exists(os.path.join(ctl, "refuse")):
            close(client)
            continue
        try:
            server = socket.create_connection(("127.0.0.1", upstream_port))
        except OSError:
            close(client)
            continue
        link = Link(client, server, ctl)
        threading.Thread(target=link.upstream, daemon=True).start()
        threading.Thread(target=link.downstream, daemon=True).start()


if __name__ == "__main__":
    main()
