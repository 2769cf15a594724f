#!/usr/bin/env python3
"""Merge the sections of a fresh report into an existing one (bench/run.sh --merge).

    merge_report.py NEW OLD

NEW and OLD are reports as bench/run.sh writes them: a header, "## Summary"
with its table, then sections "## N. Title". Each section of NEW replaces the
section of OLD with the same number (or is added, in number order), and the
summary rows whose item starts with "N. " are replaced by NEW's. OLD's header
is kept, with one line per rerun section saying when, at which commit and
under what load it was rerun (replacing that section's line of an earlier
merge). OLD is rewritten in place. Exit 1 when a file does not parse.
"""
import re
import sys

SECTION = re.compile(r"^## (\d+)\. ")
RERUN = re.compile(r"^- Section (\d+) rerun ")
RERUN_HEAD = "Sections rerun since (each replaced its part and its summary rows):"


def parse(path):
    """(header lines, table head lines, {row item number: [rows]} in order, {number: section lines})"""
    lines = open(path, encoding="utf-8").read().split("\n")
    try:
        s = lines.index("## Summary")
    except ValueError:
        sys.exit(f"merge_report: {path}: no '## Summary': not a report of bench/run.sh")
    header = lines[:s]
    i = s + 1
    while i < len(lines) and not lines[i].startswith("|"):
        i += 1
    table_head = ["## Summary", ""] + lines[i:i + 2]
    rows = []
    i += 2
    while i < len(lines) and lines[i].startswith("|"):
        rows.append(lines[i])
        i += 1
    sections, cur = {}, None
    for line in lines[i:]:
        m = SECTION.match(line)
        if m:
            cur = int(m.group(1))
            sections[cur] = []
        if cur is not None:
            sections[cur].append(line)
    for k in sections:  # one blank line after each section, as run.sh writes them
        while sections[k] and sections[k][-1] == "":
            sections[k].pop()
    return header, table_head, rows, sections


def row_number(row):
    m = re.match(r"^\| (\d+)\.", row)
    return int(m.group(1)) if m else 0


def rerun_line(new_header, numbers):
    """One line per rerun section from NEW's header: command, date, commit, time, load."""
    text = " ".join(l.strip() for l in new_header)
    m = re.search(r"Written by (`[^`]*`) on (.*?), commit (.*?), in (\d+) s\.", text)
    load = re.search(r"Load average before: ([^;]*); after: (\S+ \S+ \S+)\.", text)
    if not m or not load:
        sys.exit("merge_report: the new report's header does not parse")
    along = f" (with {', '.join(map(str, numbers))})" if len(numbers) > 1 else ""
    return {n: f"- Section {n} rerun by {m.group(1)} on {m.group(2)}, commit {m.group(3)}, in {m.group(4)} s"
               f"{along}; load average before: {load.group(1)}; after: {load.group(2)}." for n in numbers}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: merge_report.py NEW OLD")
    new_header, _, new_rows, new_sections = parse(sys.argv[1])
    header, table_head, rows, sections = parse(sys.argv[2])
    numbers = sorted(new_sections)
    while header and header[-1] == "":
        header.pop()
    # A rerun line may have been wrapped by hand: its continuation lines belong to it.
    reruns, kept, last = {}, [], None
    for l in header:
        m = RERUN.match(l)
        if m:
            last = int(m.group(1))
            reruns[last] = l
        elif last is not None and l.strip() and not l.startswith("- "):
            reruns[last] += " " + l.strip()
        else:
            last = None
            if l != RERUN_HEAD:
                kept.append(l)
    header = kept
    while header and header[-1] == "":
        header.pop()
    reruns.update(rerun_line(new_header, numbers))
    rows = [r for r in rows if row_number(r) not in numbers] + new_rows
    rows.sort(key=row_number)  # stable: a section's rows keep their order
    sections.update(new_sections)
    out = header + ["", RERUN_HEAD] + [reruns[n] for n in sorted(reruns)] + [""]
    out += table_head + rows + [""]
    for n in sorted(sections):
        out += sections[n] + [""]
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
