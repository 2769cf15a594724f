#!/usr/bin/env python3
"""depcheck: the whole tree's file dependencies go down the floors, without cycles.

Reads two kinds of dependency between the files of src/ and include/:
  - #include "x.h"  (file -> header), from the sources;
  - symbols: object file A uses a symbol that object file B defines (A.c -> B.c),
    from `nm` over the build's objects (BUILD/CMakeFiles/<target>.dir/src/...).
Fails (exit 1) on a cycle between files, on an edge from one room (folder)
to a room the floor table (scripts/floors.txt) does not allow, or on an
#include of another library's header other than its face (the header in its
include/ folder), or on a global without its library's prefix (PREFIXES),
printing each offending edge. Exit 2: bad usage or no objects to read.

  depcheck.py [--build DIR] [--source DIR] [--floors FILE] [--report | --dot]

--report prints the summary (files per room, edges, cycles); --dot the room
graph in Graphviz form. DIR defaults to $ONTRA_BUILD_DIR, else ./build.
"""
import argparse
import os
import re
import subprocess
import sys
from collections import defaultdict

INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_floors(path):
    """(room -> {room: 'any' | 'link'}, [known cycles as sorted file lists])"""
    floors, known = {}, []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if ":" not in line:
                sys.exit(f"depcheck: {path}:{n}: expected 'room: rooms below', got '{line}'")
            room, below = line.split(":", 1)
            if room.strip() == "known cycle":
                known.append(sorted(below.split()))
                continue
            allowed = {}
            for b in below.split():
                if b.endswith("(link)"):
                    allowed[b[:-6]] = "link"
                else:
                    allowed[b] = "any"
            floors[room.strip()] = allowed
    return floors, known


def room_of(path, floors):
    best = None
    for room in floors:
        if path.startswith(room + "/") and (best is None or len(room) > len(best)):
            best = room
    return best


def source_files(src):
    out = []
    for top in ("src", "include"):
        for d, _, names in os.walk(os.path.join(src, top)):
            for n in names:
                if n.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(d, n), src))
    return sorted(out)


def include_edges(src, files):
    by_name = defaultdict(list)
    for f in files:
        if f.endswith(".h"):
            by_name[os.path.basename(f)].append(f)
    edges = set()
    for f in files:
        with open(os.path.join(src, f), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        for inc in INCLUDE_RE.findall(text):
            here = os.path.normpath(os.path.join(os.path.dirname(f), inc))
            if here in files:
                edges.add((f, here))
                continue
            cands = by_name.get(os.path.basename(inc), [])
            if len(cands) == 1:
                edges.add((f, cands[0]))
            elif cands:
                sys.exit(f"depcheck: {f}: #include \"{inc}\" is ambiguous: {', '.join(cands)}")
    return edges


def object_files(build):
    """object path -> source path; of several objects of one source, the newest (others are
    left over from a target that no longer builds it)."""
    newest = {}
    top = os.path.join(build, "CMakeFiles")
    for d, _, names in os.walk(top):
        m = re.search(r"\.dir/(.*)$", d.replace(os.sep, "/"))
        if not m:
            continue
        for n in names:
            if n.endswith(".c.o"):
                obj, src = os.path.join(d, n), m.group(1) + "/" + n[:-2]
                t = os.path.getmtime(obj)
                if src not in newest or t > newest[src][0]:
                    newest[src] = (t, obj)
    return {obj: src for src, (_, obj) in newest.items()}


def nm(objs, *flags):
    """(object, symbol, type) for every symbol nm lists, in one run over all objects."""
    if not objs:
        return
    out = subprocess.run(["nm", "-P", "-A", *flags, *objs], capture_output=True, text=True,
                         check=True)
    for line in out.stdout.splitlines():
        head, _, rest = line.rpartition(": ")
        parts = rest.split()
        if head and len(parts) >= 2:
            yield head, parts[0], parts[1]


# The prefix every global a library defines carries (util links as ontra__util_*, util_names.h;
# the receiver as ontra__rcv_*, rcv_names.h).
PREFIXES = {"src/lib": ("ontra_",), "src/util": ("ontra__util_",), "src/receiver": ("ontra__rcv_",),
            "src/pgqueue": ("pgq_",),
            "src/sandbox": ("sbx_",), "src/scenario": ("scen_",), "src/cli": ("cli_", "main")}


def unprefixed(defined):
    """'file defines sym' for each global of a library that lacks the library's prefix."""
    bad = []
    for sym, f in sorted(defined):
        want = PREFIXES.get(library_of(f))
        if want and not sym.startswith(want):
            bad.append(f"{f} defines '{sym}': a global of {library_of(f)} must start with "
                       f"{' or '.join(want)}")
    return bad


def symbol_edges(build, files, defined=None):
    objs = object_files(build)
    mine = {o: p for o, p in objs.items() if p in files}  # not a stale object of a moved file
    defs, uses = {}, defaultdict(set)
    for obj, sym, kind in nm(sorted(mine), "--defined-only", "-g"):
        if kind not in "UwvN":
            defs.setdefault(sym, mine[obj])
            if defined is not None:
                defined.add((sym, mine[obj]))
    for obj, sym, _ in nm(sorted(mine), "-u"):
        uses[mine[obj]].add(sym)
    edges = set()
    for f, syms in uses.items():
        for s in syms:
            d = defs.get(s)
            if d and d != f:
                edges.add((f, d))
    return edges, len(mine)


def cycles(nodes, edges):
    """Strongly connected components with more than one file (Tarjan, iterative)."""
    succ = defaultdict(list)
    for a, b in edges:
        succ[a].append(b)
    index, low, onstack, stack, comps, counter = {}, {}, set(), [], [], [0]
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(succ[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        onstack.add(root)
        while work:
            v, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    onstack.add(nxt)
                    work.append((nxt, iter(sorted(succ[nxt]))))
                elif nxt in onstack:
                    low[v] = min(low[v], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    onstack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    comps.append(sorted(comp))
    return comps


def library_of(path):
    """The internal library a file is part of: src/X (the sandbox's floors are one), or include."""
    parts = path.split("/")
    return "/".join(parts[:2]) if parts[0] == "src" else parts[0]


def is_face(header):
    """A library's face: the one header in its include/ folder (include/ontraport.h for libontraport)."""
    return header.split("/")[-2] == "include"


def floor_violations(floors, inc, sym, files):
    bad = []
    for a, b in sorted(inc):
        if library_of(a) != library_of(b) and not is_face(b):
            bad.append(f"{a} #include {b}: another library's internal header; include its face "
                       f"({library_of(b)}/include/)")
    for kind, edges in (("#include", inc), ("uses a symbol of", sym)):
        for a, b in sorted(edges):
            ra, rb = room_of(a, floors), room_of(b, floors)
            if ra == rb:
                continue
            right = floors[ra].get(rb)
            if right == "any" or (right == "link" and kind != "#include"):
                continue
            bad.append(f"{a} {kind} {b}: {ra} may not depend on {rb} (scripts/floors.txt)")
    return bad


def report(floors, files, inc, sym, comps, known, nobjs):
    per = defaultdict(lambda: [0, 0])
    for f in files:
        per[room_of(f, floors)][f.endswith(".h")] += 1
    print(f"objects read: {nobjs}; files: {len(files)}; "
          f"include edges: {len(inc)}; symbol edges: {len(sym)}")
    print("files per room (.c + .h):")
    for room in sorted(per):
        c, h = per[room]
        print(f"  {room:<22} {c:3d} .c {h:3d} .h")
    print(f"cycles: {len(comps)} ({sum(c in known for c in comps)} of them known)")
    for comp in comps:
        mark = " (known: scripts/floors.txt)" if comp in known else ""
        print(f"  {len(comp)} files{mark}: {' '.join(comp)}")


def dot(floors, inc, sym):
    print("digraph floors {")
    pairs = {(room_of(a, floors), room_of(b, floors)) for a, b in inc | sym}
    for a, b in sorted(pairs):
        if a != b:
            print(f'  "{a}" -> "{b}";')
    print("}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get("ONTRA_BUILD_DIR", "build"))
    ap.add_argument("--source", default=os.path.dirname(here))
    ap.add_argument("--floors", default=os.path.join(here, "floors.txt"))
    ap.add_argument("--report", action="store_true", help="print the graph summary")
    ap.add_argument("--dot", action="store_true", help="print the room graph (Graphviz)")
    args = ap.parse_args()

    floors, known = read_floors(args.floors)
    files = source_files(args.source)
    fileset = set(files)
    homeless = [f for f in files if room_of(f, floors) is None]
    if homeless:
        print(f"depcheck: in no room of {args.floors}: {' '.join(homeless)}", file=sys.stderr)
        return 1
    inc = include_edges(args.source, fileset)
    defined = set()
    sym, nobjs = symbol_edges(args.build, fileset, defined)
    built = set(object_files(args.build).values())
    unbuilt = [f for f in files if f.endswith(".c") and f not in built]
    if nobjs == 0 or unbuilt:
        print(f"depcheck: no object file under {args.build}/CMakeFiles for "
              f"{' '.join(unbuilt) or 'any source'}: build first (or pass --build DIR)",
              file=sys.stderr)
        return 2
    comps = cycles(files, inc | sym)
    if args.dot:
        dot(floors, inc, sym)
        return 0
    if args.report:
        report(floors, files, inc, sym, comps, known, nobjs)
        return 0
    bad = floor_violations(floors, inc, sym, fileset) + unprefixed(defined)
    for comp in comps:
        if comp in known:
            print(f"depcheck: known cycle, to be broken: {' '.join(comp)}", file=sys.stderr)
        else:
            bad.append(f"cycle between {len(comp)} files: {' '.join(comp)}")
    for comp in known:
        if comp not in comps:
            bad.append(f"'known cycle: {' '.join(comp)}' is gone: delete that line "
                       f"from {args.floors}")
    for line in bad:
        print(f"depcheck: {line}", file=sys.stderr)
    if not bad:
        print(f"depcheck: {len(files)} files, {len(inc) + len(sym)} edges: "
              f"no new cycle, every edge goes down")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
