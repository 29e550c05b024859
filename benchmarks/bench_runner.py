"""5,000 HTTP monitors at a 60 s interval against a local target for 5 minutes, on SQLite and PostgreSQL.

    python benchmarks/bench_runner.py [--monitors 5000] [--interval 60] [--duration 300] [--database sqlite]

Prints, per database: checks per second achieved (and expected), scheduling lag p50/p99 from the
server's own histogram (target p99 < 2 s), CPU of the server process, its peak RSS, and database
growth per day extrapolated from the measured window. The first runs are spread over one interval,
as they are once a real estate has been running for a while.
"""

from __future__ import annotations

import time

import httpx
from sqlalchemy import func, select

from _server import (
    database,
    database_size,
    histogram_quantiles,
    parse_arguments,
    seed_http_monitors,
    serve,
    target_server,
)
from pysteward.server.monitors.models import CheckResult
from pysteward.store import make_engine

LAG_METRIC = "steward_scheduling_lag_seconds"
TARGET_P99 = 2.0


def _results(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count: int = connection.execute(select(func.count()).select_from(CheckResult)).scalar_one()
    engine.dispose()
    return count


def run(kind: str, *, monitors: int, interval: int, duration: float) -> dict[str, float]:
    """Measure one database kind; the figures as a dict."""
    with target_server() as target, database(kind) as url:
        engine = make_engine(url)
        seed_http_monitors(engine, count=monitors, url=f"{target}/ok", interval=interval)
        engine.dispose()
        with serve(url) as server:
            time.sleep(min(10.0, duration / 10))  # let the first batches land before the window opens
            before_metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
            results_before, size_before, cpu_before = _results(url), database_size(url), server.cpu_seconds()
            start = time.monotonic()
            time.sleep(duration)
            elapsed = time.monotonic() - start
            after_metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
            results_after, size_after, cpu_after = _results(url), database_size(url), server.cpu_seconds()
            rss = server.peak_rss()
    lag = histogram_quantiles(before_metrics, after_metrics, LAG_METRIC, (0.5, 0.99))
    return {
        "checks_per_second": (results_after - results_before) / elapsed,
        "expected_per_second": monitors / interval,
        "lag_p50": lag[0.5],
        "lag_p99": lag[0.99],
        "cpu_percent": 100 * (cpu_after - cpu_before) / elapsed,
        "peak_rss_mb": rss / 2**20,
        "growth_mb_per_day": (size_after - size_before) / elapsed * 86_400 / 2**20,
    }


def main() -> None:
    args = parse_arguments(__doc__, monitors=5000, interval=60, duration=300.0)
    for kind in args.database:
        f = run(kind, monitors=args.monitors, interval=args.interval, duration=args.duration)
        met = "met" if f["lag_p99"] < TARGET_P99 else "NOT met"
        print(
            f"{kind:10} {args.monitors} monitors/{args.interval}s for {args.duration:.0f}s: "
            f"{f['checks_per_second']:.1f} checks/s (expected {f['expected_per_second']:.1f}), "
            f"lag p50 {f['lag_p50']:.3f}s p99 {f['lag_p99']:.3f}s (target < {TARGET_P99:.0f}s: {met}), "
            f"CPU {f['cpu_percent']:.0f}%, peak RSS {f['peak_rss_mb']:.0f} MB, "
            f"database growth {f['growth_mb_per_day']:.0f} MB/day"
        )


if __name__ == "__main__":
    main()
