"""Load from wrk (Debian's `wrk`, a C load generator), so the client is not the
bottleneck: two threads and 8 connections by default, as PRODUCT.md's targets say.

Each run gets its own Lua script (bench/lua/*.lua) and arguments; the script's
`done()` prints one JSON line with the request count, the duration and the latency
percentiles that wrk's histogram holds (microseconds). A request whose answer is not
2xx or 3xx counts as an error (wrk's `errors.status`).
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

LUA = Path(__file__).resolve().parent / "lua"
PERCENTILES = ("p50", "p90", "p99", "max")


def available() -> bool:
    return shutil.which("wrk") is not None


def require() -> None:
    if not available():
        raise SystemExit("make bench needs wrk: `apt-get install wrk` (the Makefile's bench "
                         "target installs it on Debian when it is missing)")


@dataclass
class Run:
    requests: int
    seconds: float
    errors: int
    p50: float  # milliseconds
    p90: float
    p99: float
    max: float
    first_error: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def _parse(stdout: str, stderr: str, returncode: int) -> Run:
    line = next((ln for ln in reversed(stdout.splitlines()) if ln.startswith("{")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({returncode}): {stdout[-1000:]} {stderr[-1000:]}")
    data = json.loads(line)
    errors = sum(data[k] for k in ("status", "connect", "read", "write", "timeout"))
    first = ""
    if errors:
        first = ", ".join(f"{k} {data[k]}" for k in ("status", "connect", "read", "write",
                                                     "timeout") if data[k])
    return Run(requests=data["requests"], seconds=data["duration_us"] / 1e6, errors=errors,
               first_error=first,
               **{p: data[p] / 1000 for p in PERCENTILES})


def run(url: str, script: str, args: list[str], *, seconds: float, connections: int = 8,
        threads: int = 2, timeout: float = 30) -> Run:
    """One wrk run of `seconds` against `url` with bench/lua/<script>."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
           f"--timeout={int(timeout)}s", "-s", str(LUA / script), url, "--", *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + timeout + 30)
    return _parse(proc.stdout, proc.stderr, proc.returncode)


@dataclass
class Series:
    """Several timed runs against one server: requests per second over all of them;
    latency percentiles as the median of the runs' (max: the largest)."""
    name: str
    runs: list[Run] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.runs)

    @property
    def rps(self) -> float:
        return self.requests / sum(r.seconds for r in self.runs)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.runs)

    def latency(self, p: str) -> float:
        values = [getattr(r, p) for r in self.runs]
        return max(values) if p == "max" else median(values)

    def row(self, baseline: "Series") -> list:
        return ([self.rps] + [self.latency(p) for p in PERCENTILES]
                + [f"{self.rps / baseline.rps:.0%}",
                   f"{self.latency('p99') / baseline.latency('p99'):.2f}×"])


HEADERS = ["req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "req/s vs bare", "p99 vs bare"]


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"
