#!/usr/bin/env python3
"""Turns JMH's JSON (run with -prof gc) into docs/benchmarks.md's tables and an SVG bar chart.

    python3 benchmarks/report.py RESULT.json [MORE.json ...] docs/benchmarks.md docs/benchmarks.svg

Only the part of the Markdown file between the GENERATED markers is replaced; the prose around it
is kept. Standard library only.
"""

import html
import json
import re
import sys

BEGIN = "<!-- BEGIN GENERATED: benchmarks/report.py -->"
END = "<!-- END GENERATED -->"
# Benchmark classes live in the benchmarks package, or in a library package whose package-private
# code they measure (the i18n matcher).
PKG = re.compile(r"^io\.github\.grpcmiddleware\.(benchmarks|i18n)\.")

# Stack parameter values in table order, with what each measures.
STACKS = [
    ("bare", "no interceptors (the floor)"),
    ("trace", "ours: trace id in Context + MDC (server)"),
    ("errors", "ours: error mapping, OK path"),
    ("locale", "ours: Accept-Language (client sends, server resolves)"),
    ("auth", "ours: bearer token (client credentials + server authenticator)"),
    ("accesslog_off", "ours: access log, logger OFF (server)"),
    ("accesslog_on", "ours: access log, logger ON, no-op appender (server)"),
    ("metrics", "ours: Micrometer metrics (server + client)"),
    ("spans", "ours: OpenTelemetry spans (server + client)"),
    ("chain", "ours: full chain without spans (server + client)"),
    ("chain_spans", "ours: full chain with spans instead of trace"),
    ("peer_mdc", "peer: hand-written MDC interceptor (server)"),
    ("peer_micrometer", "peer: Micrometer MetricCollecting (server + client)"),
    ("peer_observation", "peer: Micrometer Observation + meter handler (server + client)"),
    ("peer_otel", "peer: OpenTelemetry GrpcTelemetry, defaults (server + client)"),
    ("peer_otel_no_events", "peer: GrpcTelemetry without message events (same spans as ours)"),
    ("headers_only", "not ours: only the five headers the chain adds, no interceptor work"),
]
DESCRIPTION = dict(STACKS)
# What a stack means in a section where it differs from the unary call.
SECTION_DESCRIPTION = {
    ("ErrorPathBenchmark.failingCall", "bare"): "no interceptors: UNKNOWN (the floor)",
    ("ErrorPathBenchmark.failingCall", "errors"):
        "ours: error mapping alone: INTERNAL, English message, details",
    ("ErrorPathBenchmark.failingCall", "chain"):
        "ours: full chain: INTERNAL, zh-CN message, details",
}
ORDER = {name: i for i, (name, _) in enumerate(STACKS)}

HEADERS = [
    ("browser_en", "`en-US,en;q=0.9`"),
    ("browser_zh", "`zh-CN,zh;q=0.9,en;q=0.8,en-GB;q=0.7,en-US;q=0.6`"),
    ("browser_fr", "`fr-CA,fr;q=0.9,de;q=0.8,en-US;q=0.7,en;q=0.6,*;q=0.5`"),
    ("java_underscore", "`zh_CN,en;q=0.5` (JDK throws)"),
    ("huge_8k", "8 KiB, 1,436 ranges, `zh;q=0.1` last"),
    ("huge_8k_bad_q", "8 KiB, 1,436 ranges, `zh;q=1.5` last (JDK throws)"),
]

# (section title, benchmark method, unit note)
SECTIONS = [
    ("In-process unary call", "UnaryBenchmark.unary"),
    ("Error path: handler throws an unmapped exception", "ErrorPathBenchmark.failingCall"),
    ("Netty on 127.0.0.1: latency of one blocking call", "NettyBenchmark.latency"),
    ("Netty on 127.0.0.1: throughput, 16 calls in flight", "NettyBenchmark.throughput"),
    ("Bidi stream, 100 messages: cost per message", "StreamingBenchmark.bidi"),
]


class Row:
    def __init__(self, entry):
        self.benchmark = PKG.sub("", entry["benchmark"])
        self.params = entry.get("params", {})
        self.mode = entry["mode"]
        primary = entry["primaryMetric"]
        self.score = primary["score"]
        self.error = primary.get("scoreError")
        self.unit = primary["scoreUnit"]
        norm = entry.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        self.bytes = norm["score"] if norm else None
        self.stack = self.params.get("stack")
        self.header = self.params.get("header")

    def err(self):
        try:
            value = float(self.error)
        except (TypeError, ValueError):  # "NaN" with a single iteration
            return None
        return None if value != value else value


def fmt(value, digits=None):
    if value is None:
        return "n/a"
    if digits is None:
        digits = 0 if abs(value) >= 100 else (1 if abs(value) >= 10 else 2)
    return f"{value:,.{digits}f}"


def score_text(row):
    err = row.err()
    text = fmt(row.score)
    return text if err is None else f"{text} ± {fmt(err)}"


def ratio(value, floor):
    if value is None or not floor:
        return None
    return value / floor


def describe(benchmark, stack):
    return SECTION_DESCRIPTION.get((benchmark, stack), DESCRIPTION.get(stack, ""))


def stack_rows(rows, benchmark):
    found = [r for r in rows if r.benchmark == benchmark and r.stack is not None]
    return sorted(found, key=lambda r: ORDER.get(r.stack, len(ORDER)))


def find(rows, benchmark, stack):
    for r in rows:
        if r.benchmark == benchmark and r.stack == stack:
            return r
    return None


def section_table(rows, benchmark):
    found = stack_rows(rows, benchmark)
    if not found:
        return []
    floor = find(rows, benchmark, "bare")
    unit = found[0].unit
    higher_better = found[0].mode == "thrpt"
    ratio_title = "× bare (higher is better)" if higher_better else "× floor"
    lines = [
        f"| Stack | What | {unit} | {ratio_title} | B/op | B/op over floor |",
        "|---|---|--:|--:|--:|--:|",
    ]
    for r in found:
        t = ratio(r.score, floor.score if floor else None)
        extra = None
        if floor and r.bytes is not None and floor.bytes is not None:
            extra = r.bytes - floor.bytes
        lines.append(
            f"| `{r.stack}` | {describe(benchmark, r.stack)} | {score_text(r)} | "
            f"{fmt(t, 2)} | {fmt(r.bytes, 0)} | "
            f"{'' if extra is None or r.stack == 'bare' else f'{extra:+,.0f}'} |"
        )
    return lines


def accept_language_table(rows):
    by = {}
    for r in rows:
        if r.benchmark.startswith("AcceptLanguageBenchmark.") and r.header:
            by[(r.header, r.benchmark.split(".")[1])] = r
    if not by:
        return []
    lines = [
        "| Header | ours (cached) ns | ours (no cache) ns | JDK ns | JDK ÷ ours (no cache) "
        "| B/op ours (no cache) | B/op JDK |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for name, label in HEADERS:
        ours = by.get((name, "ours"))
        raw = by.get((name, "oursUncached"))
        jdk = by.get((name, "jdk"))
        if not (ours or raw or jdk):
            continue
        lines.append(
            f"| {label} | {score_text(ours) if ours else 'n/a'} | "
            f"{score_text(raw) if raw else 'n/a'} | {score_text(jdk) if jdk else 'n/a'} | "
            f"{fmt(ratio(jdk.score, raw.score) if jdk and raw else None, 0)} | "
            f"{fmt(raw.bytes if raw else None, 0)} | {fmt(jdk.bytes if jdk else None, 0)} |"
        )
    return lines


def check(label, ok, detail):
    if ok is None:
        return f"| {label} | not measured | {detail} |"
    return f"| {label} | {'met' if ok else '**missed**'} | {detail} |"


def targets_table(rows):
    u = "UnaryBenchmark.unary"
    lines = ["| Target | Result | Numbers (this run) |", "|---|---|---|"]
    bare = find(rows, u, "bare")
    chain = find(rows, u, "chain")
    if bare and chain:
        extra = chain.bytes - bare.bytes
        t = chain.score / bare.score
        lines.append(check("Full chain without spans: <= +1 KiB/op over the floor", extra <= 1024,
                           f"{bare.bytes:,.0f} -> {chain.bytes:,.0f} B/op ({extra:+,.0f} B)"))
        lines.append(check("Full chain without spans: <= 1.75x the floor's time", t <= 1.75,
                           f"{score_text(bare)} -> {score_text(chain)} ns/op ({t:.2f}x)"))
    else:
        lines.append(check("Full chain without spans", None, ""))
    for ours, peer in [("trace", "peer_mdc"), ("metrics", "peer_micrometer"),
                       ("metrics", "peer_observation"), ("accesslog_on", "peer_observation"),
                       ("spans", "peer_otel_no_events"), ("spans", "peer_otel")]:
        a, b = find(rows, u, ours), find(rows, u, peer)
        if a and b and bare:
            ea, eb = a.bytes - bare.bytes, b.bytes - bare.bytes
            lines.append(check(f"`{ours}` allocates less than `{peer}`", ea < eb,
                               f"{ea:+,.0f} B vs {eb:+,.0f} B over the floor"))
        else:
            lines.append(check(f"`{ours}` allocates less than `{peer}`", None, ""))
    spans, otel = find(rows, u, "spans"), find(rows, u, "peer_otel_no_events")
    if spans and otel and bare:
        dt = 1 - (spans.score - bare.score) / (otel.score - bare.score)
        db = 1 - (spans.bytes - bare.bytes) / (otel.bytes - bare.bytes)
        lines.append(check("Our spans >= 25% cheaper than GrpcTelemetry (same spans), time",
                           dt >= 0.25, f"overhead {spans.score - bare.score:,.0f} vs "
                           f"{otel.score - bare.score:,.0f} ns ({dt:.0%} cheaper)"))
        lines.append(check("Our spans >= 25% cheaper than GrpcTelemetry (same spans), bytes",
                           db >= 0.25, f"overhead {spans.bytes - bare.bytes:+,.0f} vs "
                           f"{otel.bytes - bare.bytes:+,.0f} B ({db:.0%} cheaper)"))
    else:
        lines.append(check("Our spans >= 25% cheaper than GrpcTelemetry", None, ""))
    nb, nc = find(rows, "NettyBenchmark.throughput", "bare"), find(rows, "NettyBenchmark.throughput", "chain")
    if nb and nc:
        t = nc.score / nb.score
        lines.append(check("Netty throughput with the full chain >= 95% of bare", t >= 0.95,
                           f"{score_text(nb)} -> {score_text(nc)} ops/s ({t:.0%})"))
    else:
        lines.append(check("Netty throughput >= 95% of bare", None, ""))
    ours = [r for r in rows if r.benchmark in ("AcceptLanguageBenchmark.ours",
                                                "AcceptLanguageBenchmark.oursUncached")]
    if ours:
        worst = max(ours, key=lambda r: r.score)
        lines.append(check("Any Accept-Language header resolved in < 10 us", worst.score < 10_000,
                           f"slowest: `{worst.header}` {worst.benchmark.split('.')[1]} "
                           f"{score_text(worst)} ns"))
    else:
        lines.append(check("Any Accept-Language header < 10 us", None, ""))
    e = "ErrorPathBenchmark.failingCall"
    eb = find(rows, e, "bare")
    for stack in ("errors", "chain"):
        es = find(rows, e, stack)
        if eb and es:
            t = es.score / eb.score
            lines.append(check(f"Error path (`{stack}`) <= 2x the bare UNKNOWN path", t <= 2,
                               f"{score_text(eb)} -> {score_text(es)} ns/op ({t:.2f}x)"))
    return lines


def run_settings(first):
    return (
        f"JMH {first.get('jmhVersion')}, JDK {first.get('jdkVersion')} "
        f"({first.get('vmName', '')} {first.get('vmVersion')}); {first.get('forks')} fork(s), "
        f"{first.get('warmupIterations')} x {first.get('warmupTime')} warm-up, "
        f"{first.get('measurementIterations')} x {first.get('measurementTime')} measurement, "
        f"{first.get('threads')} thread; JVM args: `{' '.join(first.get('jvmArgs', [])) or 'none'}`."
    )


def markdown(settings, entries, rows):
    out = [BEGIN, ""]
    for path, first in settings:
        out += [f"- `{path}`: {run_settings(first)}"]
    out += [""]
    out += ["### Targets", ""] + targets_table(rows) + [""]
    for title, benchmark in SECTIONS:
        table = section_table(rows, benchmark)
        if table:
            out += [f"### {title}", ""] + table + [""]
    table = accept_language_table(rows)
    if table:
        out += ["### Accept-Language resolution (supported: en, zh-CN)", ""] + table + [""]
    out += ["![Benchmark chart](benchmarks.svg)", "", END]
    return "\n".join(out)


def svg(rows):
    """Two bar panels per section: time (ratio to the floor) and bytes per op."""
    groups = []
    for title, benchmark in SECTIONS:
        found = stack_rows(rows, benchmark)
        floor = find(rows, benchmark, "bare")
        if found and floor:
            groups.append((title, found, floor))
    label_w, panel_w, gap, row_h, top = 170, 300, 40, 18, 40
    width = label_w + 2 * panel_w + gap + 80
    height = top + sum(28 + len(g[1]) * row_h + 12 for g in groups) + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{label_w}" y="18" font-size="13" font-weight="bold">time, x bare '
        f'(throughput: ops/s, x bare)</text>',
        f'<text x="{label_w + panel_w + gap}" y="18" font-size="13" font-weight="bold">'
        f'bytes allocated per op</text>',
    ]
    y = top
    for title, found, floor in groups:
        parts.append(f'<text x="4" y="{y + 12}" font-weight="bold">{html.escape(title)}</text>')
        y += 20
        max_ratio = max(r.score / floor.score for r in found)
        max_bytes = max((r.bytes or 0) for r in found) or 1
        for r in found:
            color = "#9e9e9e" if r.stack == "bare" else (
                "#d98c3a" if r.stack.startswith("peer") else "#3a78d9")
            rr = r.score / floor.score
            w1 = panel_w * rr / max_ratio
            err = r.err()
            parts.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">'
                         f'{html.escape(r.stack)}</text>')
            parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{w1:.1f}" height="{row_h - 5}" '
                         f'fill="{color}"/>')
            if err:
                lo = panel_w * (r.score - err) / floor.score / max_ratio
                hi = panel_w * (r.score + err) / floor.score / max_ratio
                cy = y + 2 + (row_h - 5) / 2
                parts.append(f'<line x1="{label_w + max(lo, 0):.1f}" y1="{cy:.1f}" '
                             f'x2="{label_w + hi:.1f}" y2="{cy:.1f}" stroke="black"/>')
            parts.append(f'<text x="{label_w + w1 + 4:.1f}" y="{y + 12}">{rr:.2f}x</text>')
            x2 = label_w + panel_w + gap
            w2 = panel_w * (r.bytes or 0) / max_bytes
            parts.append(f'<rect x="{x2}" y="{y + 2}" width="{w2:.1f}" height="{row_h - 5}" '
                         f'fill="{color}"/>')
            parts.append(f'<text x="{x2 + w2 + 4:.1f}" y="{y + 12}">{fmt(r.bytes, 0)} B</text>')
            y += row_h
        y += 12
    parts.append(f'<text x="4" y="{height - 6}" fill="#555">grey: bare; blue: ours; orange: '
                 f'peers. Whiskers: JMH 99.9% error. Generated by benchmarks/report.py.</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


SKELETON = """# Benchmarks

Generated by `benchmarks/run.sh`; the tables below come from `benchmarks/results/jmh.json`.

{generated}
"""


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    json_paths, md_path, svg_path = argv[1:-2], argv[-2], argv[-1]
    entries = []
    settings = []
    for path in json_paths:
        with open(path, encoding="utf-8") as f:
            found = json.load(f)
        if found:
            entries += found
            settings.append((path, found[0]))
    if not entries:
        print("no results in " + ", ".join(json_paths), file=sys.stderr)
        return 1
    rows = [Row(e) for e in entries]
    generated = markdown(settings, entries, rows)
    try:
        with open(md_path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        text = SKELETON.format(generated=BEGIN + "\n" + END)
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < 0:
        text = text.rstrip("\n") + "\n\n" + BEGIN + "\n" + END + "\n"
        start, end = text.find(BEGIN), text.find(END)
    text = text[:start] + generated + text[end + len(END):]
    with open(md_path, "w", encoding="utf-8") as f:
        f.write(text)
    with open(svg_path, "w", encoding="utf-8") as f:
        f.write(svg(rows))
    print(f"wrote {md_path} and {svg_path} from {len(rows)} results")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
