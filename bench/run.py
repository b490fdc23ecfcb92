"""`make bench`: runs every benchmark and rewrites docs/benchmarks.md."""

import importlib
import sys
import time
from datetime import UTC, datetime

from bench.common import ROOT, machine

MODULES = ("bench.bench_checkin", "bench.bench_registration", "bench.bench_search",
           "bench.bench_export", "bench.bench_matching", "bench.bench_noshow",
           "bench.bench_badges", "bench.bench_messages")


def main(selected: list[str]) -> None:
    sections = []
    for name in MODULES:
        if selected and not any(s in name for s in selected):
            continue
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        section = importlib.import_module(name).run()
        print(section, flush=True)
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
        sections.append(section)
    header = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, on {machine()}.",
        "Every figure below comes from that run; ratios compare against a baseline run in",
        "the same process and on the same server setup. Targets are in PRODUCT.md.",
        "",
        "",
    ]
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(header) + "\n\n".join(sections)
                                                 + "\n")
    print("wrote docs/benchmarks.md")


if __name__ == "__main__":
    main(sys.argv[1:])
