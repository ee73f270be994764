#!/usr/bin/env python3
"""Fail when line coverage of the given source folders is below a threshold.

usage: coverage_gate.py SUMMARY.json PERCENT FOLDER...
SUMMARY.json is gcovr's --json-summary output.
"""
import json
import sys


def main(argv):
    if len(argv) < 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, want, folders = argv[1], float(argv[2]), argv[3:]
    with open(path, encoding="utf-8") as f:
        files = json.load(f)["files"]
    status = 0
    for folder in folders:
        covered = total = 0
        for entry in files:
            if entry["filename"].startswith(folder):
                covered += entry["line_covered"]
                total += entry["line_total"]
        pct = 100.0 * covered / total if total else 0.0
        verdict = "ok" if pct >= want else "BELOW"
        print(f"coverage {folder:10s} {pct:5.1f}% lines ({covered}/{total}), gate {want:.0f}%: {verdict}")
        if pct < want:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
