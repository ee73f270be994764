#!/usr/bin/env python3
"""Which failure answers of each monitor command the monitor fuzzers reached.

usage: fuzz_coverage.py GCOVR.json OUT.md [--runs N] [--fail]

GCOVR.json is gcovr's --json output for a coverage build of ccsim after
`ccsim fuzz` runs (harness/scripts/fuzz-coverage.sh makes both). For every
command handler of the RMM (RMI and RSI), the SNP and SEV firmware and the
RMP instructions, it lists the handler's *failure sites* -- the source
lines that answer with an error status (rmm_fail, RMI_ERROR_*,
RSI_ERROR_*, a check helper's `return false`, `return SNP_*`, RMP FAIL_*
and faults) -- with how many the runs executed,
and the handler's branch coverage (each operand of a condition chain is a
branch: the per-condition view of the failure conditions). Helpers the
handlers share (the RD / REC / RTT walks, the guest lookups) are listed
under their own names. With --fail it exits 1 if a failure site was not
reached.
"""
import json
import re
import sys

# file -> (ABI, the regex of a line that sets a failure status)
FAILURE = {
    "models/monitor/rmm/": ("RMM (RMI, RSI)", re.compile(
        r"rmm_fail\(|rmi_return\(RMI_ERROR|RSI_ERROR_\w+|return false;")),
    "models/monitor/snp/snp_fw.c": ("SNP firmware", re.compile(
        r"return SNP_(?!SUCCESS)\w+|st = SNP_(?!SUCCESS)\w+")),
    "models/monitor/sev/sev_fw.c": ("SEV firmware", re.compile(
        r"return SNP_(?!SUCCESS)\w+|st = SNP_(?!SUCCESS)\w+|return st;")),
    "models/mmu/rmp_ops.c": ("RMP instructions", re.compile(
        r"op_status\(o, RMP_FAIL|op_fault\(")),
}
# Failure sites no ABI input can reach, by what guards them (the line
# itself, or the condition on the line above):
#  - a platform fault: the firmware's or the RMM's own memory access failed
#    (HWERROR_PLATFORM, an RMP table fault, a scrub the RMM cannot finish).
#    ccsim's DRAM fails a read only under an integrity mode (cca-mac,
#    cca-ctr-tree, tdx), where the RMM then panics; no SEV mode has one, and
#    every address these sites see was checked to lie in DRAM before.
#  - a configuration the profile refuses before any command runs (an RMP
#    the MSRs could not hold) or cannot express (firmware pages set by the
#    library's callers only), or a state the model never enters (the
#    RMM's token always fits its REC's auxiliary granules, so RSI's
#    attestation never ends FAILED).
PLATFORM = re.compile(r"HWERROR_PLATFORM|RMP_FAULT_TABLE")
PLATFORM_ABOVE = re.compile(r"granule_scrub")
NOT_PLATFORM_ABOVE = re.compile(r"aliased")
CONFIG_ABOVE = re.compile(r"rmp_config_check|fw_pages|ATTEST_FAILED")


def site_class(src, ln):
    """The site's class by the line and the condition guarding it (the
    nearest `if (` within four lines above)."""
    here, above = src[ln - 1], ""
    for k in range(ln - 2, max(ln - 6, -1), -1):
        if "if (" in src[k]:
            above = src[k]
            break
    if CONFIG_ABOVE.search(above) and not PLATFORM.search(here):
        return "config"
    if PLATFORM_ABOVE.search(above) or (PLATFORM.search(here) and not NOT_PLATFORM_ABOVE.search(above)):
        return "platform"
    return "command"


# Functions that are not command paths: model plumbing, encoders, checks
# for the invariants and report verification (attest has its own tests).
SKIP = re.compile(r"_(save|restore|destroy|create|reset|register|name|encode|decode|"
                  r"store|load|peek|init_table|verify|info|print)$|^(le32|sig_|derive|"
                  r"snp_seed|snp_chip|snp_vcek|snp_vmpck|snp_page_info|secrets_fill|"
                  r"sev_measure_compute|all_zero|mpidr_to)")


def abi_of(path):
    for prefix, v in FAILURE.items():
        if path.startswith(prefix):
            return v
    return None


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    runs = None
    if "--runs" in argv:
        runs = argv[argv.index("--runs") + 1]
    strict = "--fail" in argv
    try:
        with open(argv[1]) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        sys.stderr.write(f"fuzz_coverage.py: {argv[1]}: {e}\n")
        return 2
    rows = {}
    unreachable = []
    for fdata in data.get("files", []):
        path = fdata["file"]
        abi = abi_of(path)
        if not abi:
            continue
        try:
            src = open(path).read().split("\n")
        except OSError as e:
            sys.stderr.write(f"fuzz_coverage.py: {path}: {e}\n")
            return 2
        funcs = sorted((fn["lineno"], fn.get("demangled_name") or fn["name"])
                       for fn in fdata.get("functions", []))
        lines = {ln["line_number"]: ln for ln in fdata.get("lines", [])}
        for k, (start, name) in enumerate(funcs):
            end = funcs[k + 1][0] if k + 1 < len(funcs) else len(src) + 1
            if SKIP.search(name):
                continue
            sites, reached, missed, br, br_taken = 0, 0, [], 0, 0
            other = []
            for ln in range(start, end):
                info = lines.get(ln)
                if not info:
                    continue
                for b in info.get("branches", []):
                    br += 1
                    br_taken += b["count"] > 0
                if abi[1].search(src[ln - 1]) and site_class(src, ln) != "command":
                    other.append((site_class(src, ln), ln, src[ln - 1].strip(), info["count"] > 0))
                elif abi[1].search(src[ln - 1]):
                    sites += 1
                    if info["count"] > 0:
                        reached += 1
                    else:
                        missed.append(f"{ln}: `{src[ln - 1].strip()}`")
            if sites == 0 and br == 0 and not other:
                continue
            rows.setdefault(abi[0], []).append((path, name, sites, reached, br, br_taken, missed))
            for cls, ln, text, hit in other:
                unreachable.append((abi[0], path, name, cls, ln, text, hit))
    out = ["# Monitor fuzzing: the failure answers reached", ""]
    out.append("Made by `make fuzz-coverage` (harness/scripts/fuzz-coverage.sh): a coverage")
    out.append("build of ccsim runs `ccsim fuzz` on each monitor ABI" +
               (f" ({runs} runs from nothing and {runs} mutating the conformance"
                " scenarios, per ABI)" if runs else "") + ", then gcov counts,")
    out.append("per command handler, the source lines that answer with an error (failure")
    out.append("sites) the runs executed, and the handler's branches taken (a condition")
    out.append("chain's operands are branches, so this is the per-condition view).")
    out.append("")
    total_sites = total_reached = 0
    for abi in sorted(rows):
        r = rows[abi]
        s = sum(x[2] for x in r)
        got = sum(x[3] for x in r)
        b = sum(x[4] for x in r)
        bt = sum(x[5] for x in r)
        total_sites += s
        total_reached += got
        out.append(f"## {abi}: {got} of {s} failure sites reached, "
                   f"{bt} of {b} branches taken")
        out.append("")
        out.append("| handler | file | failure sites reached | branches taken | not reached |")
        out.append("|---|---|---|---|---|")
        for path, name, sites, reached, br, brt, missed in sorted(r, key=lambda x: (x[0], x[1])):
            out.append(f"| `{name}` | {path.split('/')[-1]} | {reached} / {sites} | "
                       f"{brt} / {br} | {'<br>'.join(missed)} |")
        out.append("")
    out.append(f"All: {total_reached} of {total_sites} failure sites reached.")
    out.append("")
    out.append("## Failure sites no ABI input reaches")
    out.append("")
    out.append("Not counted above. *platform*: the platform failed the monitor -- its own")
    out.append("memory access (ccsim's DRAM fails one only under an integrity mode, and the RMM")
    out.append("then panics; no SEV mode has one, and each address was checked to lie in DRAM")
    out.append("before), or the memory controller refusing a key slot the firmware validated.")
    out.append("*config*: a platform the profile refuses (an RMP the MSRs cannot hold) or")
    out.append("cannot express (firmware pages only the library's callers set), or a state")
    out.append("the model never enters (an RMM token too big for its REC).")
    out.append("")
    out.append("| ABI | handler | file:line | class | reached anyway |")
    out.append("|---|---|---|---|---|")
    for abi, path, name, cls, ln, text, hit in sorted(unreachable):
        out.append(f"| {abi} | `{name}` | {path.split('/')[-1]}:{ln} `{text}` | {cls} | "
                   f"{'yes' if hit else 'no'} |")
    with open(argv[2], "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"fuzz-coverage: {total_reached} of {total_sites} failure sites reached -> {argv[2]}")
    return 1 if strict and total_reached < total_sites else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
