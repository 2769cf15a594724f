#!/usr/bin/env python3
"""Baseline of bench/client.sh: N GET /object calls with requests.Session
(Debian's python3-requests), the way a Python script talks to Ontraport.

    client_requests.py BASE_URL N   (ONTRAPORT_APP_ID and ONTRAPORT_API_KEY in the environment)
"""
import os
import sys

import requests


def main():
    base, n = sys.argv[1], int(sys.argv[2])
    s = requests.Session()
    s.headers.update({"Api-Appid": os.environ["ONTRAPORT_APP_ID"],
                      "Api-Key": os.environ["ONTRAPORT_API_KEY"]})
    out = sys.stdout
    for i in range(1, n + 1):
        r = s.get(base + "/object", params={"objectID": 0, "id": i}, timeout=60)
        r.raise_for_status()
        out.write(r.text)
        out.write("\n")


if __name__ == "__main__":
    main()
