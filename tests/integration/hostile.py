#!/usr/bin/env python3
"""A battery of hostile HTTP requests, sent over raw sockets.

    hostile.py sandbox BASE_URL APP_ID API_KEY
    hostile.py receiver URL_WITH_TOKEN_PATH

Every case names what it sends and the status class it must get back. After
each case the server must still answer a normal request. A case fails when
the status is outside its class, when an error body is more than one line,
or when the server stops answering. Prints one line per failure and a summary;
exits 1 if anything failed.
"""
import json
import socket
import sys
import time
from urllib.parse import urlsplit

failures = 0
cases = 0


def raw(host, port, data, timeout=10.0, read_all=True, half_close=False):
    """Send bytes, return (status or None, body bytes). half_close: then say
    we are done sending (so a short body ends there)."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        s.sendall(data)
        if half_close:
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not b:
                break
            chunks.append(b)
            if not read_all:
                break
        resp = b"".join(chunks)
    finally:
        s.close()
    if not resp.startswith(b"HTTP/1."):
        return None, resp
    head, _, body = resp.partition(b"\r\n\r\n")
    try:
        status = int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None, resp
    return status, body


def request(method, target, headers=(), body=b"", version=b"HTTP/1.1"):
    lines = [method + b" " + target + b" " + version, b"Host: 127.0.0.1", b"Connection: close"]
    lines += list(headers)
    if body and not any(h.lower().startswith(b"content-length") or
                        h.lower().startswith(b"transfer-encoding") for h in headers):
        lines.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def check(name, host, port, data, want, alive):
    """want: a set of acceptable status classes/codes, e.g. {'4xx'} or {400, 413}."""
    global failures, cases
    cases += 1
    try:
        # Requests a server may rightly wait on (a body that never comes, a line it
        # cannot frame) get a short timeout; a timeout counts as "closed".
        brief = any(k in name for k in ("shorter", "garbage", "HTTP/0.9"))
        status, body = raw(host, port, data, timeout=3.0 if brief else 10.0,
                           half_close="shorter" in name)
    except OSError as e:
        status, body = None, str(e).encode()
    ok = status is not None and (status in want or ("%dxx" % (status // 100)) in want)
    if "closed" in want and status is None:
        ok = True
    if ok and status is not None and status >= 400:
        text = body.decode("utf-8", "replace").strip()
        # libmicrohttpd answers requests it cannot frame (bad Content-Length, bad
        # chunking) itself, with a short HTML page, before our code sees them.
        if "\n" in text and not text.startswith("{") and "<html>" not in text:
            print("FAIL %s: error body is more than one line: %r" % (name, text[:200]))
            failures += 1
    elif not ok:
        print("FAIL %s: got %s, expected %s; body %r" % (name, status, sorted(map(str, want)), body[:200]))
        failures += 1
    if not alive():
        print("FAIL %s: the server stopped answering" % name)
        failures += 1
        raise SystemExit(1)


def slow_clients(name, host, port, alive, n=50):
    """n connections that send half a request and then nothing: the server
    must keep answering others meanwhile (a slow-loris)."""
    global failures, cases
    cases += 1
    socks = []
    try:
        for _ in range(n):
            s = socket.create_connection((host, port), timeout=5)
            s.sendall(b"POST /1/objects HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
            socks.append(s)
        t0 = time.time()
        if not alive():
            print("FAIL %s: the server stopped answering while %d clients trickled" % (name, n))
            failures += 1
        elif time.time() - t0 > 5:
            print("FAIL %s: an answer took %.1f s while %d clients trickled" % (name, time.time() - t0, n))
            failures += 1
    finally:
        for s in socks:
            s.close()


def sandbox(base, app, key):
    u = urlsplit(base)
    host, port = u.hostname, u.port
    auth = [b"Api-Appid: " + app.encode(), b"Api-Key: " + key.encode()]

    def alive():
        st, _ = raw(host, port, request(b"GET", b"/1/objects/getInfo?objectID=0", auth))
        return st == 200

    def count():
        st, body = raw(host, port, request(b"GET", b"/1/objects/getInfo?objectID=0", auth))
        return json.loads(body.split(b"\r\n\r\n")[-1])["data"]["count"]

    before = count()
    J = [b"Content-Type: application/json"]
    F = [b"Content-Type: application/x-www-form-urlencoded"]
    deep = b"[" * 5000 + b"]" * 5000
    cases_ = [
        ("no credentials", request(b"POST", b"/1/objects", [], b"objectID=0&firstname=x"), {401}),
        ("wrong key", request(b"POST", b"/1/objects", [b"Api-Appid: " + app.encode(), b"Api-Key: nope"], b"objectID=0"), {401}),
        ("unknown method", request(b"BREW", b"/1/objects", auth), {"4xx", 501}),
        ("path traversal", request(b"GET", b"/1/../../etc/passwd", auth), {"4xx"}),
        ("encoded traversal", request(b"GET", b"/1/%2e%2e/%2e%2e/etc/passwd", auth), {"4xx"}),
        ("NUL in path", request(b"GET", b"/1/obj%00ects?objectID=0", auth), {"4xx"}),
        ("very long path", request(b"GET", b"/1/" + b"a" * 100000, auth), {"4xx", "closed"}),
        ("10,000 headers", request(b"GET", b"/1/objects?objectID=0", auth + [b"X-H%d: v" % i for i in range(10000)]), {"4xx", "closed"}),
        ("huge Content-Length", request(b"POST", b"/1/objects", auth + J + [b"Content-Length: 99999999999"], b"{}"), {413, "closed"}),
        ("negative Content-Length", request(b"POST", b"/1/objects", auth + J + [b"Content-Length: -5"], b"{}"), {"4xx", "closed"}),
        ("body shorter than its length", request(b"POST", b"/1/objects", auth + J + [b"Content-Length: 10"], b"{}"), {"4xx", "closed"}),
        ("malformed JSON", request(b"POST", b"/1/objects", auth + J, b'{"objectID":0,"firstname":'), {400}),
        ("JSON not an object", request(b"POST", b"/1/objects", auth + J, b'[1,2,3]'), {400}),
        ("JSON nested 5000 deep", request(b"POST", b"/1/objects", auth + J, b'{"a":' + deep + b'}'), {400}),
        ("duplicate JSON keys", request(b"POST", b"/1/objects", auth + J, b'{"objectID":0,"objectID":1}'), {400}),
        ("invalid UTF-8 JSON", request(b"POST", b"/1/objects", auth + J, b'{"objectID":0,"firstname":"\xff\xfe"}'), {400}),
        ("20,000 form pairs", request(b"POST", b"/1/objects", auth + F, b"&".join(b"k%d=v" % i for i in range(20000))), {400}),
        ("form brackets 100 deep", request(b"POST", b"/1/objects", auth + F, b"objectID=0&a" + b"[x]" * 100 + b"=1"), {400}),
        ("bad percent-encoding", request(b"GET", b"/1/objects?objectID=0&search=%zz%", auth), {"4xx", 200}),
        ("objectID not a number", request(b"GET", b"/1/objects?objectID=abc", auth), {400}),
        ("objectID overflow", request(b"GET", b"/1/objects?objectID=99999999999999999999999", auth), {400}),
        ("id negative", request(b"GET", b"/1/object?objectID=0&id=-1", auth), {"4xx"}),
        ("range negative", request(b"GET", b"/1/objects?objectID=0&range=-5", auth), {"4xx", 200}),
        ("start huge", request(b"GET", b"/1/objects?objectID=0&start=9223372036854775807", auth), {200, 400}),
        ("ids garbage", request(b"GET", b"/1/objects?objectID=0&ids=1,2,x,;DROP", auth), {400}),
        ("sort by SQL", request(b"GET", b"/1/objects?objectID=0&sort=id;DROP%20TABLE%20o_0", auth), {400}),
        ("listFields SQL", request(b"GET", b"/1/objects?objectID=0&listFields=id,(select%201)", auth), {200, 400}),
        ("condition SQL in field", request(b"GET", b'/1/objects?objectID=0&condition=' + b'%5B%7B%22field%22%3A%7B%22field%22%3A%22id%3B%20DROP%20TABLE%20o_0%22%7D%2C%22op%22%3A%22%3D%22%2C%22value%22%3A%7B%22value%22%3A1%7D%7D%5D', auth), {400}),
        ("condition SQL in value", request(b"GET", b"/1/objects?objectID=0&condition=" + b"%5B%7B%22field%22%3A%7B%22field%22%3A%22email%22%7D%2C%22op%22%3A%22%3D%22%2C%22value%22%3A%7B%22value%22%3A%22x%27%20OR%201%3D1%20--%22%7D%7D%5D", auth), {200}),
        ("condition bad op", request(b"GET", b"/1/objects?objectID=0&condition=" + b"%5B%7B%22field%22%3A%7B%22field%22%3A%22id%22%7D%2C%22op%22%3A%22EXEC%22%2C%22value%22%3A%7B%22value%22%3A1%7D%7D%5D", auth), {400}),
        ("condition not JSON", request(b"GET", b"/1/objects?objectID=0&condition=%5B%7B", auth), {400}),
        ("condition nested deep", request(b"GET", b"/1/objects?objectID=0&condition=" + b"%5B" * 3000 + b"%5D" * 3000, auth), {400, "closed"}),
        ("invalid email", request(b"POST", b"/1/objects", auth + J, b'{"objectID":0,"email":"not an address"}'), {422}),
        ("HTTP/0.9 request", b"GET /1/objects\r\n\r\n", {"4xx", "closed"}),
        ("garbage request line", b"\x00\x01\x02\x03 garbage\r\n\r\n", {"4xx", "closed"}),
        ("chunked with bad size", request(b"POST", b"/1/objects", auth + J + [b"Transfer-Encoding: chunked"], b"zz\r\n{}\r\n0\r\n\r\n"), {"4xx", "closed"}),
        ("control API without token", request(b"POST", b"/_sandbox/reset"), {401}),
        ("control API wrong token", request(b"POST", b"/_sandbox/reset", [b"X-Sandbox-Token: guess"]), {401}),
    ]
    for name, data, want in cases_:
        check(name, host, port, data, want, alive)
    slow_clients("slow clients", host, port, alive)
    # Nothing the battery sent created a contact (the invalid-email create was refused, ...).
    after = count()
    global failures
    if after != before:
        print("FAIL contacts changed from %s to %s" % (before, after))
        failures += 1


def receiver(url):
    u = urlsplit(url)
    host, port, path = u.hostname, u.port, u.path.encode()
    wrong = path.rsplit(b"/", 1)[0] + b"/wrongtoken"

    def alive():
        st, _ = raw(host, port, request(b"POST", path, [b"Content-Type: application/json"],
                                        b'{"event":{"type":"object_create"},"data":{"id":"1"}}'))
        return st == 200

    J = [b"Content-Type: application/json"]
    F = [b"Content-Type: application/x-www-form-urlencoded"]
    cases_ = [
        ("wrong token path", request(b"POST", wrong, J, b'{"a":1}'), {404}),
        ("GET on the token path", request(b"GET", path), {"4xx"}),
        ("no token path", request(b"POST", b"/", J, b'{"a":1}'), {404}),
        ("malformed JSON", request(b"POST", path, J, b'{"event":'), {400}),
        ("JSON nested 5000 deep", request(b"POST", path, J, b'{"a":' + b"[" * 5000 + b"]" * 5000 + b"}"), {400}),
        ("invalid UTF-8", request(b"POST", path, J, b'{"a":"\xff"}'), {400}),
        ("empty body", request(b"POST", path, J, b""), {400}),
        ("huge Content-Length", request(b"POST", path, J + [b"Content-Length: 99999999999"], b"{}"), {413, "closed"}),
        ("20,000 form pairs", request(b"POST", path, F, b"&".join(b"k%d=v" % i for i in range(20000))), {400, 413}),
        ("form brackets 100 deep", request(b"POST", path, F, b"a" + b"[x]" * 100 + b"=1"), {400}),
        ("10,000 headers", request(b"POST", path, J + [b"X-H%d: v" % i for i in range(10000)], b"{}"), {"4xx", "closed"}),
        ("garbage request line", b"\x00\x01\x02 garbage\r\n\r\n", {"4xx", "closed"}),
        ("body shorter than its length", request(b"POST", path, J + [b"Content-Length: 10"], b"{}"), {"4xx", "closed"}),
        ("chunked with bad size", request(b"POST", path, J + [b"Transfer-Encoding: chunked"], b"zz\r\n{}\r\n0\r\n\r\n"), {"4xx", "closed"}),
    ]
    for name, data, want in cases_:
        check(name, host, port, data, want, alive)
    slow_clients("slow clients", host, port, alive)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "sandbox":
        sandbox(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 3 and sys.argv[1] == "receiver":
        receiver(sys.argv[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    print("hostile: %d cases, %d failures" % (cases, failures))
    sys.exit(1 if failures else 0)
