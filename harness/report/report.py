#!/usr/bin/python3
"""Run the bundled studies and write results/report.md with its figures.

usage: report.py [--ccsim PATH] [--out DIR] [-j N] [--no-run]

For each studies/*.sweep: `ccsim sweep` writes DIR/studies/NAME.csv; the
attack scenarios' matrix goes to DIR/studies/attacks.json; the calibration
table is read from DIR/calibration.json (`make calibration`). Figures go to
DIR/figures/ as PNG and SVG, and DIR/report.md ties them together. With
--no-run the CSVs already in DIR/studies are used.

Needs Debian's python3-matplotlib and python3-numpy (harness/deps.sh).
Exit status: 0, or 2 when a run fails or an input is missing.
"""
import argparse
import csv
import glob
import json
import math
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# No dates or versions in the files: a rerun writes the same bytes.
META_PNG = {"Software": None}
META_SVG = {"Date": None, "Creator": None}
plt.rcParams.update({"font.size": 10, "axes.grid": True, "grid.alpha": 0.3,
                     "svg.hashsalt": "ccsim", "figure.dpi": 100})


def die(msg):
    print(f"report: {msg}", file=sys.stderr)
    sys.exit(2)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 1):  # 1: an expectation failed; still data
        die(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[-400:]}")
    return p


def read_csv(path):
    if not os.path.exists(path):
        die(f"{path}: missing (run without --no-run)")
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class Freq:
    """Each profile's clock, from `ccsim profile`."""

    def __init__(self, ccsim):
        self.ccsim, self.mhz = ccsim, {}

    def __call__(self, profile):
        if profile not in self.mhz:
            p = run([self.ccsim, "profile", profile])
            self.mhz[profile] = json.loads(p.stdout)["platform"]["freq_mhz"]
        return self.mhz[profile]


def save(fig, figdir, name):
    fig.tight_layout()
    fig.savefig(os.path.join(figdir, name + ".png"), metadata=META_PNG)
    fig.savefig(os.path.join(figdir, name + ".svg"), metadata=META_SVG)
    plt.close(fig)
    return f"![{name}](figures/{name}.png)"


def geomean(xs):
    xs = [x for x in xs if x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


# ---- the studies ----

EXIT_OPS = [("cpuid0", "CPUID 0x0"), ("cpuid1", "CPUID 0x1"), ("rdmsr", "RDMSR"),
            ("hypercall", "hypercall"), ("pio", "port read")]


def exit_costs(rows, figdir):
    profiles = [r["profile"] for r in rows]
    per = {r["profile"]: [float(r[f"phase.{op}.cycles"]) / 1000 for op, _ in EXIT_OPS]
           for r in rows}
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(profiles)
    for i, p in enumerate(profiles):
        xs = [k + i * width for k in range(len(EXIT_OPS))]
        ax.bar(xs, per[p], width, label=p)
    ax.set_xticks([k + 0.4 - width / 2 for k in range(len(EXIT_OPS))])
    ax.set_xticklabels([name for _, name in EXIT_OPS])
    ax.set_yscale("log")
    ax.set_ylabel("cycles per operation (log)")
    ax.set_title("Exit costs: one guest operation, 1000 times (scenarios/perf/exits.scn)")
    ax.legend(ncol=len(profiles), fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    img = save(fig, figdir, "exit-costs")
    base = per.get("plain")
    lines = ["| profile | " + " | ".join(n for _, n in EXIT_OPS) + " | geomean vs plain |",
             "|---|" + "---|" * (len(EXIT_OPS) + 1)]
    for p in profiles:
        g = geomean([a / b for a, b in zip(per[p], base)]) if base else float("nan")
        lines.append(f"| `{p}` | " + " | ".join(f"{v:,.0f}" for v in per[p]) + f" | {g:.2f}x |")
    return img, "\n".join(lines)


COPIES = [("memcpy", "memcpy (non-temporal)"), ("block", "256 KiB blocks"),
          ("element", "element loop")]


def size_bytes(text):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(text[:-1]) * mult[text[-1]] if text[-1] in mult else int(text)


def memory_encryption(rows, figdir, freq):
    fig, axes = plt.subplots(1, len(COPIES), figsize=(11, 3.6), sharey=False)
    table = {}
    for ax, (ph, name) in zip(axes, COPIES):
        for p in sorted({r["profile"] for r in rows}):
            pts = sorted((int(r["memenc.aes_latency"]),
                          size_bytes(r.get("size") or "64M") / (1 << 20) /
                          (float(r[f"phase.{ph}.cycles"]) / (freq(p) * 1e6)))
                         for r in rows if r["profile"] == p)
            ax.plot([x for x, _ in pts], [y for _, y in pts], marker="o", label=p)
            for x, y in pts:
                table[(p, x, ph)] = y
        ax.set_title(name)
        ax.set_xlabel("AES latency per block (cycles)")
        ax.set_ylabel("MiB per simulated second")
        ax.set_ylim(bottom=0)
    axes[0].legend(fontsize=8)
    fig.suptitle("Copy bandwidth vs the encryption engine's latency (plain has no engine)")
    img = save(fig, figdir, "memory-encryption")
    lats = sorted({x for _, x, _ in table})
    lines = ["| copy | " + " | ".join(f"sev-snp / plain at {x}" for x in lats) + " |",
             "|---|" + "---|" * len(lats)]
    for ph, name in COPIES:
        cells = []
        for x in lats:
            snp, vm = table.get(("sev-snp", x, ph)), table.get(("plain", x, ph))
            cells.append(f"{snp / vm:.3f}" if snp and vm else "–")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return img, "\n".join(lines)


def timer_injection(rows, figdir):
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6))
    for p in sorted({r["profile"] for r in rows}):
        pts = sorted((int(r["period"]), int(r["hv.g0.exits"]), int(r["phase.workload.cycles"]))
                     for r in rows if r["profile"] == p)
        a1.plot([x for x, _, _ in pts], [e for _, e, _ in pts], marker="o", label=p)
        a2.plot([x for x, _, _ in pts], [w / 1e6 for _, _, w in pts], marker="o", label=p)
    for ax in (a1, a2):
        ax.set_xscale("log")
        ax.set_xlabel("timer period (cycles)")
    a1.set_ylabel("exits to the host")
    a2.set_ylabel("workload phase (M cycles)")
    a1.legend(fontsize=8)
    fig.suptitle("Timer delivery on CCA: the host injects each tick, or the RMM does")
    return save(fig, figdir, "timer-injection")


def bounce_buffers(rows, figdir, freq):
    fig, ax = plt.subplots(figsize=(7, 3.8))
    series = {}
    for r in rows:
        p, b = r["profile"], r["bounce"]
        label = p if b == "2" else f"{p} + bounce"
        if p != "plain" and b == "1":
            continue  # confidential guests bounce either way
        n = int(r["n"])
        us = float(r["phase.randread.cycles"]) / n / freq(p)
        series.setdefault(label, []).append((int(r["size"]), us))
    for label, pts in sorted(series.items()):
        pts.sort()
        ax.plot([x for x, _ in pts], [y for _, y in pts], marker="o", label=label)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("request size (bytes)")
    ax.set_ylabel("mean latency per request (us)")
    ax.set_title("Block reads at queue depth 1 (scenarios/perf/devices.scn)")
    ax.legend(fontsize=8)
    return save(fig, figdir, "bounce-buffers")


TRACES = [("gzip", "gzip -6"), ("sort", "sort -n"), ("sqlite", "sqlite3 query")]


def trace_replay(rows, figdir):
    """Cycles of each phase against the same trace on `plain`."""
    profiles = list(dict.fromkeys(r["profile"] for r in rows))
    cyc = {(r["profile"], r["trace"], ph): float(r[f"phase.{ph}.cycles"])
           for r in rows for ph in ("warm", "replay")}
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
    width = 0.8 / len(profiles)
    for ax, (ph, title) in zip(axes, [("warm", "first pass (first touch, cold caches)"),
                                      ("replay", "second pass (phase replay)")]):
        for i, p in enumerate(profiles):
            ys = [cyc[(p, t, ph)] / cyc[("plain", t, ph)] for t, _ in TRACES]
            ax.bar([k + i * width for k in range(len(TRACES))], ys, width, label=p)
        ax.set_xticks([k + 0.4 - width / 2 for k in range(len(TRACES))])
        ax.set_xticklabels([n for _, n in TRACES])
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_title(title, fontsize=10)
    axes[0].set_ylabel("cycles / plain's cycles")
    axes[0].set_ylim(0, 1.8)
    axes[1].legend(ncol=4, fontsize=8, loc="upper left")
    fig.suptitle("Trace replay: 262,144 accesses of real programs (scenarios/perf/replay.scn)")
    img = save(fig, figdir, "trace-replay")
    head = " | ".join(f"{n}: warm / replay" for _, n in TRACES)
    lines = [f"| profile | {head} | geomean replay vs plain |",
             "|---|" + "---|" * (len(TRACES) + 1)]
    for p in profiles:
        cells = [f"{cyc[(p, t, 'warm')]:,.0f} / {cyc[(p, t, 'replay')]:,.0f}" for t, _ in TRACES]
        g = geomean([cyc[(p, t, "replay")] / cyc[("plain", t, "replay")] for t, _ in TRACES])
        lines.append(f"| `{p}` | " + " | ".join(cells) + f" | {g:.3f}x |")
    return img, "\n".join(lines)


def gpt_caching(rows, figdir):
    """Replay cycles against the GPT information the TLBs hold."""
    sizes = sorted({int(r["gpc.tlb_entries"]) for r in rows})
    cyc = {(r["trace"], int(r["gpc.tlb_entries"])): float(r["phase.replay.cycles"]) for r in rows}
    base = max(sizes)
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for t, name in TRACES:
        ax.plot(range(len(sizes)), [cyc[(t, n)] / cyc[(t, base)] for n in sizes], marker="o",
                label=name)
    ax.set_xticks(range(len(sizes)))
    ax.set_xticklabels(["0 (walk)" if n == 0 else str(n) for n in sizes])
    ax.set_yscale("log")
    ax.set_xlabel("gpc.tlb_entries (granules whose GPT information the TLBs hold)")
    ax.set_ylabel(f"cycles / cycles at {base} (log)")
    ax.set_title("GPT caching on cca: trace replay, warm pass", fontsize=10)
    ax.legend(fontsize=8)
    img = save(fig, figdir, "gpt-caching")
    lines = ["| trace | " + " | ".join(f"{n} entries" for n in sizes) + " |",
             "|---|" + "---|" * len(sizes)]
    for t, name in TRACES:
        lines.append(f"| {name} | " + " | ".join(f"{cyc[(t, n)]:,.0f}" for n in sizes) + " |")
    return img, "\n".join(lines)


def rmp_check(rows, figdir):
    """SNP's RMP check at the TLB fill against one on every access."""
    cyc = {(r["trace"], r["rmp.every_access"], ph): float(r[f"phase.{ph}.cycles"])
           for r in rows for ph in ("warm", "replay")}
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    width = 0.38
    for i, (ph, label) in enumerate([("warm", "first pass"), ("replay", "second pass")]):
        ys = [cyc[(t, "true", ph)] / cyc[(t, "false", ph)] for t, _ in TRACES]
        ax.bar([k + i * width for k in range(len(TRACES))], ys, width, label=label)
    ax.set_xticks([k + width / 2 for k in range(len(TRACES))])
    ax.set_xticklabels([n for _, n in TRACES])
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_ylabel("cycles, every access / at fill")
    ax.set_ylim(0, max(cyc[(t, "true", ph)] / cyc[(t, "false", ph)]
                       for t, _ in TRACES for ph in ("warm", "replay")) * 1.3)
    ax.set_title("RMP check placement on sev-snp: trace replay", fontsize=10)
    ax.legend(fontsize=8, ncol=2, loc="upper center")
    img = save(fig, figdir, "rmp-check")
    lines = ["| trace | at fill: warm / replay | every access: warm / replay | replay ratio |",
             "|---|---|---|---|"]
    for t, name in TRACES:
        f, e = [f"{cyc[(t, v, 'warm')]:,.0f} / {cyc[(t, v, 'replay')]:,.0f}" for v in ("false", "true")]
        lines.append(f"| {name} | {f} | {e} | "
                     f"{cyc[(t, 'true', 'replay')] / cyc[(t, 'false', 'replay')]:.2f}x |")
    return img, "\n".join(lines)


def secure_io(rows, figdir, freq):
    """Block read latency: bounce buffers against a trusted device's DMA."""
    def lat(p, bounce, trusted, size, dev):
        r = [x for x in rows if x["profile"] == p and x["bounce"] == bounce and
             x["host.dev_trusted"] == trusted and x["size"] == size and
             x["host.blk_latency_ns"] == dev][0]
        return float(r["phase.randread.cycles"]) / int(r["n"]) / freq(p)  # cycles / MHz = us
    sizes = sorted({r["size"] for r in rows}, key=int)
    devs = sorted({r["host.blk_latency_ns"] for r in rows}, key=int)
    series = [("plain", "2", "false", "plain (no bounce)"),
              ("sev-snp", "2", "false", "sev-snp, bounce buffer"),
              ("sev-snp", "0", "true", "sev-snp, trusted device"),
              ("cca", "2", "false", "cca, bounce buffer"),
              ("cca", "0", "true", "cca, trusted device")]
    fig, axes = plt.subplots(1, len(devs), figsize=(11, 3.8))
    for ax, dev in zip(axes, devs):
        for p, b, t, label in series:
            ax.plot([int(x) for x in sizes], [lat(p, b, t, x, dev) for x in sizes], marker="o",
                    linestyle="--" if t == "true" else "-", label=label)
        ax.set_xscale("log", base=2)
        ax.set_xticks([int(x) for x in sizes])
        ax.set_xticklabels(sizes)
        ax.set_xlabel("request size, bytes")
        ax.set_title(f"device side {int(dev) / 1000:g} us per request", fontsize=10)
    axes[0].set_ylabel("mean read latency, us")
    axes[0].legend(fontsize=8, loc="lower right", bbox_to_anchor=(1.0, 0.42))
    fig.suptitle("Block reads at queue depth 1: bounce buffers vs a trusted device "
                 "(scenarios/perf/devices.scn)")
    img = save(fig, figdir, "secure-io")
    bad = sorted({r["profile"] for r in rows if r["verdict"] != "pass"})
    lines = ["| profile, path | " + " | ".join(f"{x} B, {int(d) / 1000:g} us" for d in devs
                                                for x in (sizes[0], sizes[-1])) + " |",
             "|---|" + "---|" * (2 * len(devs))]
    for p, b, t, label in series:
        lines.append(f"| {label} | " + " | ".join(f"{lat(p, b, t, x, d):.2f} us" for d in devs
                                                     for x in (sizes[0], sizes[-1])) + " |")
    return img, "\n".join(lines), ", ".join(f"`{p}`" for p in bad)


def key_slots(rows, figdir, freq):
    """SEV guests sharing too few ASIDs: the share of time they run."""
    vms = len([k for k in rows[0] if k.startswith("hv.") and k.endswith(".guest_cycles")])
    def total(r, what):
        return sum(float(r[f"hv.g{i}.{what}"]) for i in range(vms))
    slices = sorted({int(r["host.slice_cycles"]) for r in rows})
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    lines = ["| ASIDs | slice | takeovers | mean takeover | guests' share of the time |",
             "|---|---|---|---|---|"]
    for sl in slices:
        pts = []
        for r in sorted((r for r in rows if int(r["host.slice_cycles"]) == sl),
                        key=lambda r: int(r["memenc.key_slots"])):
            asids = int(r["memenc.key_slots"]) - 1
            share = total(r, "guest_cycles") / total(r, "run_cycles")
            taken = total(r, "asid_taken")
            mhz = freq(r["profile"])
            cost = total(r, "asid_cycles") / taken / mhz / 1000 if taken else 0
            pts.append((asids, share))
            lines.append(f"| {asids} | {sl / mhz / 1000:.1f} ms | {taken:.0f} | "
                         + (f"{cost:.1f} ms" if taken else "–") + f" | {share:.1%} |")
        ax.plot([x for x, _ in pts], [y for _, y in pts], marker="o",
                label=f"slice {sl / freq(rows[0]['profile']) / 1000:.1f} ms")
    ax.axvline(vms, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlabel(f"SEV ASIDs (key slots) for {vms} guests")
    ax.set_ylabel("share of the host's time running guests")
    ax.set_ylim(0, 1.05)
    ax.set_title("Key slots: 20 SEV guests, round robin (sev-gen1)", fontsize=10)
    ax.legend(fontsize=8)
    img = save(fig, figdir, "key-slots")
    return img, "\n".join(lines)


def memory_protection(rows, figdir, freq):
    """Copy bandwidth under XTS, XTS + MAC and a counter tree of each arity."""
    configs = [("cca", "8", "XTS (cca)"), ("cca-mac", "8", "XTS + MAC (cca-mac)")]
    configs += [("cca-ctr-tree", a, f"counter tree, arity {a}")
                for a in sorted({r["memenc.tree_arity"] for r in rows}, key=int)]
    def row(p, a):
        return [r for r in rows if r["profile"] == p and r["memenc.tree_arity"] == a][0]
    def mibs(r, ph):
        return size_bytes(r["size"]) / (1 << 20) / (float(r[f"phase.{ph}.cycles"]) /
                                                      (freq(r["profile"]) * 1e6))
    fig, ax = plt.subplots(figsize=(8, 3.8))
    width = 0.8 / len(configs)
    for i, (p, a, label) in enumerate(configs):
        ax.bar([k + i * width for k in range(len(COPIES))],
               [mibs(row(p, a), ph) for ph, _ in COPIES], width, label=label)
    ax.set_xticks([k + 0.4 - width / 2 for k in range(len(COPIES))])
    ax.set_xticklabels([n for _, n in COPIES])
    ax.set_ylabel("copy bandwidth, MiB per simulated s")
    ax.set_ylim(0, max(mibs(row(p, a), ph) for p, a, _ in configs for ph, _ in COPIES) * 1.35)
    ax.set_title("Memory protection on CCA: mbw's copies, 32 MiB arrays", fontsize=10)
    ax.legend(fontsize=8, ncol=2)
    img = save(fig, figdir, "memory-protection")
    lines = ["| protection | " + " | ".join(f"{n}, MiB/s" for _, n in COPIES) +
             " | counter overflows | metadata misses | metadata write-backs |",
             "|---|" + "---|" * (len(COPIES) + 3)]
    for p, a, label in configs:
        r = row(p, a)
        tree = p == "cca-ctr-tree"
        lines.append(f"| {label} | " + " | ".join(f"{mibs(r, ph):,.0f}" for ph, _ in COPIES) +
                     " | " + " | ".join(f"{int(r[k]):,}" if tree else "–" for k in
                                        ("memenc.counter_overflows", "memenc.meta_misses",
                                         "memenc.meta_writebacks")) + " |")
    return img, "\n".join(lines)


def calibration(path, figdir):
    if not os.path.exists(path):
        die(f"{path}: missing (run `make calibration` first)")
    with open(path, encoding="utf-8") as f:
        rows = json.load(f)["rows"]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    for i, r in enumerate(rows):
        lo, hi = r["band"]
        ax.plot([i, i], [lo, hi], color="0.6", linewidth=8, solid_capstyle="butt")
        if r["model"]:
            ax.plot(i, r["model"]["ratio"], "o", color="C3")
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([r["id"] for r in rows])
    ax.set_yscale("log")
    ax.set_ylabel("confidential VM / normal VM (log)")
    ax.set_title("Calibration: model (dots) inside the published bands (bars)")
    return save(fig, figdir, "calibration")


def attack_table(path):
    with open(path, encoding="utf-8") as f:
        m = json.load(f)
    profiles = [p for p in m["profiles"] if any(r["profile"] == p for r in m["runs"])]
    cell = {(r["scenario"], r["profile"]): (r.get("outcome") or r.get("error", "error"))
            for r in m["runs"]}
    scen = sorted({r["scenario"] for r in m["runs"]})
    lines = ["| scenario | " + " | ".join(f"`{p}`" for p in profiles) + " |",
             "|---|" + "---|" * len(profiles)]
    for s in scen:
        name = os.path.basename(s)[:-4]
        lines.append(f"| {name} | " + " | ".join(cell.get((s, p), "") for p in profiles) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ccsim", default="build/ccsim")
    ap.add_argument("--out", default="results")
    ap.add_argument("-j", default="2")
    ap.add_argument("--no-run", action="store_true")
    a = ap.parse_args()
    studies = os.path.join(a.out, "studies")
    figdir = os.path.join(a.out, "figures")
    os.makedirs(studies, exist_ok=True)
    os.makedirs(figdir, exist_ok=True)
    sweeps = sorted(glob.glob("studies/*.sweep"))
    if not sweeps:
        die("no studies/*.sweep")
    if not a.no_run:
        for s in sweeps:
            name = os.path.basename(s)[:-6]
            run([a.ccsim, "sweep", s, "-j", a.j, "--quiet", "--csv",
                 os.path.join(studies, name + ".csv")])
        run([a.ccsim, "matrix", "scenarios/attacks", "-j", a.j, "--json",
             os.path.join(studies, "attacks.json")])
    freq = Freq(a.ccsim)
    csvs = {os.path.basename(s)[:-6]: read_csv(os.path.join(studies, os.path.basename(s)[:-6]
                                                            + ".csv")) for s in sweeps}
    exit_img, exit_tab = exit_costs(csvs["exit-costs"], figdir)
    mem_img, mem_tab = memory_encryption(csvs["memory-encryption"], figdir, freq)
    timer_img = timer_injection(csvs["timer-injection"], figdir)
    bounce_img = bounce_buffers(csvs["bounce-buffers"], figdir, freq)
    trace_img, trace_tab = trace_replay(csvs["trace-replay"], figdir)
    gpt_img, gpt_tab = gpt_caching(csvs["gpt-caching"], figdir)
    rmp_img, rmp_tab = rmp_check(csvs["rmp-check"], figdir)
    sio_img, sio_tab, sio_bad = secure_io(csvs["secure-io"], figdir, freq)
    ks_img, ks_tab = key_slots(csvs["key-slots"], figdir, freq)
    mp_img, mp_tab = memory_protection(csvs["memory-protection"], figdir, freq)
    cal_img = calibration(os.path.join(a.out, "calibration.json"), figdir)
    with open(os.path.join(a.out, "calibration.md"), encoding="utf-8") as f:
        cal_md = f.read().split("\n", 2)[2].strip()
    out = f"""# ccsim report

Generated by `make report` (harness/report/report.py) from the bundled
studies (`studies/*.sweep`, each run with `ccsim sweep`; CSVs in
`results/studies/`), the attack scenarios' matrix and the calibration
table. Cycles are simulated, at each profile's clock; every number here
reruns byte for byte.

## Attacks: outcome per architecture

What each attack scenario observed on each profile it declares
(`ccsim matrix scenarios/attacks`).

{attack_table(os.path.join(studies, "attacks.json"))}

## Calibration

{cal_img}

{cal_md}

## Exit costs (studies/exit-costs.sweep)

{exit_img}

Cycles per operation; the last column is the geometric mean of each
operation's cost over the normal VM's (`plain`).

{exit_tab}

## Memory encryption latency (studies/memory-encryption.sweep)

{mem_img}

Bandwidth ratio SEV-SNP / normal VM at each engine latency (held fixed:
64 MiB arrays, the EPYC 9334 host of `plain`; `sev`'s own estimate is 4).

{mem_tab}

## Memory protection modes (studies/memory-protection.sweep)

{mp_img}

The same copies on the CCA machine with three kinds of memory protection
(held fixed: the `cca` profile's AES latency of 40 cycles per block and its
64 KiB metadata cache). XTS decrypts a line only once it has arrived, so
every read miss pays the AES latency; a per-line MAC adds its check.
Counter mode computes the line's pad from its counter while the data is
on its way, so with the counter in the metadata cache decryption costs
nothing on the critical path (Suh et al., MICRO 2003; Yan et al., ISCA
2006): with split counters (arity 64: one 64-byte counter line covers 4
KiB) the element loop runs faster than under XTS. Arity 8 (one counter
per line, as SGX's MEE) misses in the metadata cache ten times as often.
Arity 128 leaves 3-bit minor counters that overflow after eight writes:
each overflow re-encrypts the 128 lines the counter line covers (and
bumps its parent), which is what slows the block copy, the cost
morphable counters were proposed against (Saileshwar et al., MICRO 2018).

{mp_tab}

## Timer delivery on CCA (studies/timer-injection.sweep)

{timer_img}

With the host injecting, every tick is an exit to the normal world; with
the RMM injecting, the realm's ticks stay in the realm world.

## Block I/O and bounce buffers (studies/bounce-buffers.sweep)

{bounce_img}

Mean latency of one request at queue depth 1 (50 requests per point);
"+ bounce" forces the normal VM through the bounce buffer.

## Key-slot limits (studies/key-slots.sweep)

{ks_img}

Twenty SEV guests take turns of one host scheduler slice on a
first-generation EPYC (`sev-gen1`: 15 SEV ASIDs; the sweep sets 4 to 20).
A guest whose turn comes without an ASID gets one the only way the
firmware allows: the host DEACTIVATEs the guest that ran least recently,
writes back and invalidates every cache (WBINVD on every core: the slot's
lines must be gone before another key takes it), DF_FLUSHes and
ACTIVATEs the new one (the VEK travels with its guest: SEV API 55766
6.3-6.4); the evicted guest starts its next turn with cold caches and pays
the same to get an ASID back. With round-robin turns the least recently
run guest is always the next to run, so any shortage makes every turn a
takeover, however many ASIDs there are: the share of time left for the
guests drops from about 98% to 15% at 1.1 ms slices and 64% at 11 ms. A
takeover costs about 6 ms here, nearly all of it WBINVD, which the model
times as a walk of every line of every cache at its hit latency, one
after another (512 Ki lines of a 32 MiB LLC): an upper bound, as hardware
walks its slices in parallel; the PSP's own command latency is not
modelled (the firmware's DRAM work is). The shape does not depend on it:
the guests' share falls as soon as there are fewer ASIDs than guests. KVM avoids all this by refusing to launch more SEV guests than
ASIDs; SEV-SNP cannot take an ASID back at all (the RMP records each
page's ASID).

{ks_tab}

## Secure I/O devices (studies/secure-io.sweep)

{sio_img}

A confidential guest's device cannot reach its private memory, so its
data goes through a shared bounce buffer and the guest copies it
(swiotlb). A trusted device (`host.dev_trusted`: TDISP with SEV-TIO on
SEV-SNP, RME-DA on CCA) DMAs into private memory as the guest: no bounce
copy. Mean latency of one 4 KiB-or-smaller read at queue depth 1 (50
requests), the device side held at 1 us or 10 us. Given the private
buffer, an untrusted device delivers garbage: those configurations fail
their data check ({sio_bad}). The trusted device's DMA time is the
device's own (covered by its latency), so what it saves is the guest's
bounce copy (and the host's copy into the bounce buffer): about 0.1 to
0.2 us at 4 KiB. Most of a confidential guest's extra latency is its exits
(the notify and the completion through #VC and the GHCB on SEV-SNP), which
a trusted device does not remove.

{sio_tab}

## Real programs: trace replay (studies/trace-replay.sweep)

{trace_img}

Windows of 262,144 memory accesses from the middle of gzip, sort and a
sqlite3 query (scenarios/traces/, recorded under valgrind by
harness/scripts/record-traces.sh; docs/traces.md), replayed twice on a
16 MiB guest. Cycles of the first pass (first touch of each page) and of
the second, warm one. Their footprints are small (18 to 58 pages), so
the warm pass stays in the caches and the protections cost little there;
what remains is the replay's own stream of records (8 bytes per access,
from DRAM), which the integrity engines of `cca-mac` and `cca-ctr-tree`
check like any other read. SEV-SNP's first pass costs less than SEV-ES's:
its guest validated, and so faulted in, all of its RAM at boot, while SEV
and SEV-ES guests fault each page in at first touch, through an exit that
costs more on SEV-ES. The `cca` profiles model an Arm server, not
`plain`'s EPYC host: compare them with `cca`, the SEV family with `plain`.

{trace_tab}

## GPT caching on CCA (studies/gpt-caching.sweep)

{gpt_img}

Every access of a realm (and every instruction fetch) needs its
granule's GPT information: from the cores' TLBs, which hold
`gpc.tlb_entries` granules' worth, or from a walk of the GPT (an L0 and
an L1 descriptor, read through the LLC). Cycles of the warm replay pass of
each trace, held fixed: the `cca` profile otherwise. With no caching every
access walks; a few dozen entries already cover these small programs.
The GPT's own granularity (GPCCR_EL3.PGS) is not swept: the RMM delegates
4 KiB granules and needs 4 KiB GPT granules.

{gpt_tab}

## RMP check placement on SEV-SNP (studies/rmp-check.sweep)

{rmp_img}

The hardware checks the RMP when a translation is filled and keeps the
verdict in the TLB (APM vol. 2 15.36.10); `rmp.every_access=true` checks
on every access instead, reading the RMP entry through the data caches
each time, with nothing else changed (held fixed: the `sev-snp` profile).
It is an upper bound on a design without the TLB's help: the lookup is
serial with the access, as no dedicated RMP cache is modelled.

{rmp_tab}
"""
    with open(os.path.join(a.out, "report.md"), "w", encoding="utf-8") as f:
        f.write(out)
    print(f"wrote {os.path.join(a.out, 'report.md')} and {figdir}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
