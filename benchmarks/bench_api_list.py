"""Listing monitors through the API with 10,000 stored: p50/p99 latency per page, SQLite and PostgreSQL.

    python benchmarks/bench_api_list.py [--monitors 10000] [--limit 50] [--passes 3]

Seeds the monitors, starts `steward serve` without its runner, and walks every page of
GET /api/v1/monitors with an admin token, `--passes` times, over one keep-alive connection, timing
each request on the client. Target: p99 < 100 ms per page.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

import httpx

from _server import database, parse_arguments, seed_http_monitors, serve
from pysteward.server.tenancy.models import Role
from pysteward.server.tenancy.service import create_user, issue_token
from pysteward.store import make_engine, make_session_factory

TARGET_P99_MS = 100.0


def _token(url: str) -> str:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        user = create_user(
            session,
            email="bench@example.invalid",
            password="a long bench password",
            role=Role.ADMIN,
            client_id=None,
        )
        _, secret = issue_token(session, user=user, name="bench", expires_at=None, now=datetime.now(UTC))
    engine.dispose()
    return secret


def run(kind: str, *, monitors: int, limit: int, passes: int) -> list[float]:
    """Milliseconds per page request, over every page of every pass."""
    with database(kind) as url:
        engine = make_engine(url)
        seed_http_monitors(engine, count=monitors, url="http://127.0.0.1:9/ok", interval=60)
        engine.dispose()
        token = _token(url)
        with (
            serve(url, runner=False) as server,
            httpx.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
            ) as http,
        ):
            http.get("/api/v1/monitors", params={"limit": limit}).raise_for_status()  # warm-up
            times: list[float] = []
            for _ in range(passes):
                after: int | None = None
                while True:
                    params = {"limit": limit} | ({"after": after} if after is not None else {})
                    start = time.perf_counter()
                    response = http.get("/api/v1/monitors", params=params)
                    times.append((time.perf_counter() - start) * 1000)
                    response.raise_for_status()
                    after = response.json()["next_after"]
                    if after is None:
                        break
    return times


def main() -> None:
    args = parse_arguments(__doc__, monitors=10_000, limit=50, passes=3)
    for kind in args.database:
        times = sorted(run(kind, monitors=args.monitors, limit=args.limit, passes=args.passes))
        p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
        met = "met" if p99 < TARGET_P99_MS else "NOT met"
        print(
            f"{kind:10} {args.monitors} monitors, {len(times)} pages of {args.limit}: "
            f"p50 {statistics.median(times):.1f} ms, p99 {p99:.1f} ms "
            f"(target < {TARGET_P99_MS:.0f} ms: {met}), "
            f"max {times[-1]:.1f} ms"
        )


if __name__ == "__main__":
    main()
