#!/usr/bin/env python3
"""Check a Prometheus text exposition (format 0.0.4) on stdin; print each sample as
NAME{LABELS} VALUE, one per line, sorted as read. Exit 1 with a reason when the text
is not well formed: a sample without its # HELP and # TYPE, a counter not ending in
_total, a bad label or value, a type given twice."""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(rf"^({NAME})(\{{(?:{LABEL}(?:,{LABEL})*)?\}})? (\S+)$")


def main():
    helps, types, out = set(), {}, []
    for n, line in enumerate(sys.stdin.read().split("\n"), 1):
        if not line:
            continue
        m = re.match(rf"^# (HELP|TYPE) ({NAME}) (.+)$", line)
        if m:
            kind, name, rest = m.groups()
            if kind == "HELP":
                helps.add(name)
            elif name in types or rest not in ("counter", "gauge", "untyped"):
                sys.exit(f"line {n}: bad or second TYPE: {line}")
            else:
                types[name] = rest
            continue
        m = SAMPLE.match(line)
        if not m:
            sys.exit(f"line {n}: not a sample: {line}")
        name, labels, value = m.groups()
        if name not in helps or name not in types:
            sys.exit(f"line {n}: {name} without HELP or TYPE before it")
        if types[name] == "counter" and not name.endswith("_total"):
            sys.exit(f"line {n}: counter {name} does not end in _total")
        float(value)
        out.append(f"{name}{labels or ''} {value}")
    print("\n".join(out))


main()
