"""Benchmark: package-index look-ups for the 276 packages of paperless-ngx's `uv.lock`, cold and warm.

    python benchmarks/bench_health.py [DATA] [--runs 5] [--workers 8]

A local server on 127.0.0.1 (a thread of this script) serves generated, seeded responses for every
package of `DATA/real-world/paperless-ngx-paperless-ngx-uv.lock`: a PEP 691 simple page with files,
upload times and hashes, the JSON API document with releases and ownership, and a per-version
document for pins that are not the latest (about 40% of them), at sizes like a real index's (tens of
kilobytes a page, hundreds for projects with many wheels). Each run is a child process (interpreter
start included) calling `fetch_projects`; peak RSS is the child's own. Three ways:

- cold: an empty cache, every document fetched;
- warm: a fresh cache (within its TTL), no request at all;
- revalidate: an expired cache, every document revalidated with a conditional request (304).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from _common import (
    Result,
    Sample,
    add_common_arguments,
    format_table,
    private_data_dir,
    repeat,
    run_child,
    summarize,
)

__all__ = ["collect", "generate_index", "lock_pins"]

LOCK = "real-world/paperless-ngx-paperless-ngx-uv.lock"
FILES = "https://files.index.invalid/packages"
WHEEL_TAGS = (
    "py3-none-any",
    "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp311-cp311-macosx_11_0_arm64",
    "cp311-cp311-win_amd64",
    "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp312-cp312-macosx_11_0_arm64",
    "cp312-cp312-win_amd64",
    "cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp313-cp313-musllinux_1_2_x86_64",
)
WORDS = ("the", "a", "client", "server", "parse", "request", "data", "fast", "simple", "python")

_CHILD = """
import sys, json
from pathlib import Path
from packaging.version import Version
from pysteward.engine.index import FetchOptions, IndexLocation, fetch_projects
url, pins_file, cache, ttl, workers = sys.argv[1:6]
pins = [(n, Version(v)) for n, v in json.loads(Path(pins_file).read_text())]
options = FetchOptions(ttl=float(ttl), max_workers=int(workers))
lookup = fetch_projects(pins, index=IndexLocation(url, "bench"), cache_dir=Path(cache), options=options)
print(len(lookup.found), len(lookup.not_found), len(lookup.errors))
"""


def lock_pins(lock: Path) -> list[tuple[str, str]]:
    """(name, version) of every package of a `uv.lock` that has a version."""
    document = tomllib.loads(lock.read_text(encoding="utf-8"))
    return [(p["name"], p["version"]) for p in document["package"] if "version" in p]


def _digest(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def _versions(pinned: str, rng: random.Random) -> list[str]:
    """A plausible release history that contains `pinned`; 40% of the time newer ones follow it."""
    count = rng.randint(4, 60)
    history = [f"0.{i // 10}.{i % 10}" for i in range(count)]
    newer = [f"999.{i}.0" for i in range(rng.randint(1, 6))] if rng.random() < 0.4 else []
    return [*history, pinned, *newer]


def _file(name: str, version: str, tag: str | None, when: datetime, rng: random.Random) -> dict[str, object]:
    stem = name.replace("-", "_")
    filename = f"{stem}-{version}.tar.gz" if tag is None else f"{stem}-{version}-{tag}.whl"
    return {
        "filename": filename,
        "url": f"{FILES}/{_digest(rng)[:2]}/{_digest(rng)[:2]}/{_digest(rng)[:60]}/{filename}",
        "hashes": {"sha256": _digest(rng)},
        "requires-python": ">=3.9",
        "core-metadata": {"sha256": _digest(rng)} if tag else False,
        "size": rng.randint(20_000, 9_000_000),
        "upload-time": when.isoformat().replace("+00:00", "Z"),
        "yanked": rng.random() < 0.01,
    }


def _api_file(file: dict[str, object]) -> dict[str, object]:
    stamp = str(file["upload-time"])
    return {
        "comment_text": "",
        "digests": {"md5": _md5(str(file["filename"])), "sha256": file["hashes"]["sha256"]},  # type: ignore[index]
        "downloads": -1,
        "filename": file["filename"],
        "has_sig": False,
        "packagetype": "sdist" if str(file["filename"]).endswith(".tar.gz") else "bdist_wheel",
        "python_version": "source",
        "requires_python": file["requires-python"],
        "size": file["size"],
        "upload_time": stamp[:19],
        "upload_time_iso_8601": stamp,
        "url": file["url"],
        "yanked": file["yanked"],
        "yanked_reason": None,
    }


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _info(name: str, version: str, rng: random.Random) -> dict[str, object]:
    description = " ".join(rng.choice(WORDS) for _ in range(rng.randint(200, 3000)))
    return {
        "author": "",
        "author_email": f"maintainers <{name}@example.invalid>",
        "classifiers": [
            "Development Status :: 5 - Production/Stable",
            "License :: OSI Approved :: MIT License",
            "Programming Language :: Python :: 3",
        ],
        "description": description,
        "description_content_type": "text/markdown",
        "license": None,
        "license_expression": rng.choice(["MIT", "Apache-2.0", "BSD-3-Clause", None]),
        "name": name,
        "project_urls": {"Source": f"https://git.example.invalid/{name}"},
        "requires_dist": [f"dep-{i}>=1" for i in range(rng.randint(0, 8))],
        "requires_python": ">=3.9",
        "summary": f"The {name} project",
        "version": version,
        "yanked": False,
        "yanked_reason": None,
    }


def _project(name: str, pinned: str, rng: random.Random) -> dict[str, bytes]:
    versions = _versions(pinned, rng)
    start = datetime(2016, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 2000))
    files: list[dict[str, object]] = []
    releases: dict[str, list[dict[str, object]]] = {}
    for index, version in enumerate(versions):
        when = start + timedelta(days=index * rng.randint(10, 60))
        tags = [None, *rng.sample(WHEEL_TAGS, rng.choice((1, 1, 1, 3, 6, 9)))]
        batch = [_file(name, version, tag, when, rng) for tag in tags]
        files.extend(batch)
        releases[version] = [_api_file(f) for f in batch]
    latest = versions[-1]
    roles = [
        {"role": rng.choice(("Owner", "Maintainer")), "user": f"user{i}"} for i in range(rng.randint(1, 5))
    ]
    ownership = {"roles": roles, "organization": f"org-{name}" if rng.random() < 0.2 else None}
    simple = {"meta": {"api-version": "1.4"}, "name": name, "versions": versions, "files": files}
    api = {"info": _info(name, latest, rng), "last_serial": 1, "releases": releases, "urls": releases[latest]}
    api |= {"vulnerabilities": [], "ownership": ownership}
    pages = {
        f"/simple/{name}/": json.dumps(simple).encode(),
        f"/pypi/{name}/json": json.dumps(api).encode(),
    }
    if latest != pinned:
        one = {"info": _info(name, pinned, rng), "urls": releases[pinned], "ownership": ownership}
        pages[f"/pypi/{name}/{pinned}/json"] = json.dumps(one).encode()
    return pages


def generate_index(pins: list[tuple[str, str]], seed: int = 2026) -> dict[str, bytes]:
    """URL path → body for every page the look-ups of `pins` ask for."""
    rng = random.Random(seed)
    pages: dict[str, bytes] = {}
    for name, version in pins:
        pages |= _project(name, version, rng)
    return pages


@contextmanager
def serve_index(pages: dict[str, bytes]) -> Iterator[str]:
    etags = {path: '"' + hashlib.sha256(body).hexdigest()[:20] + '"' for path, body in pages.items()}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = pages.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            kind = (
                "application/vnd.pypi.simple.v1+json"
                if self.path.startswith("/simple/")
                else "application/json"
            )
            if self.headers.get("If-None-Match") == etags[self.path]:
                self.send_response(304)
                self.send_header("ETag", etags[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("ETag", etags[self.path])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _argv(url: str, pins_file: Path, cache: Path, ttl: float, workers: int) -> list[str]:
    return [sys.executable, "-c", _CHILD, url, str(pins_file), str(cache), str(ttl), str(workers)]


def _look_up(url: str, pins_file: Path, cache: Path, ttl: float, workers: int, *, fresh: bool) -> Sample:
    if fresh:
        shutil.rmtree(cache, ignore_errors=True)
    return run_child(_argv(url, pins_file, cache, ttl, workers))


def _check(url: str, pins_file: Path, cache: Path, workers: int) -> None:
    """One unmeasured cold run (it also fills the bytecode cache) whose counts are printed."""
    shutil.rmtree(cache, ignore_errors=True)
    done = subprocess.run(
        _argv(url, pins_file, cache, 86400.0, workers), capture_output=True, text=True, check=True
    )
    found, not_found, errors = done.stdout.split()
    print(f"  found {found}, not on the index {not_found}, errors {errors}")


def collect(data: Path, runs: int, workers: int = 8, *, bytecode_cache: bool = True) -> list[Result]:
    """Cold, warm and revalidating look-ups of the lockfile's packages against the local server."""
    pins = lock_pins(data / LOCK)
    pages = generate_index(pins)
    size = sum(len(b) for b in pages.values())
    names = len({name for name, _ in pins})
    print(f"  {len(pins)} packages ({names} names), {len(pages)} documents, {size / 1e6:.1f} MB per cold run")
    with (
        private_data_dir(bytecode_cache=bytecode_cache) as tmp,
        serve_index(pages) as url,
        tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, dir=tmp) as handle,
    ):
        json.dump(pins, handle)
        handle.close()
        pins_file, cache = Path(handle.name), tmp / "index-cache"
        _check(url, pins_file, cache, workers)
        label = f"health look-ups, {len(pins)} packages"
        cold = partial(_look_up, url, pins_file, cache, 86400.0, workers, fresh=True)
        results = [summarize(f"{label}, cold cache", repeat(cold, runs))]
        warm = partial(_look_up, url, pins_file, cache, 86400.0, workers, fresh=False)
        results.append(summarize(f"{label}, warm cache", repeat(warm, runs)))
        stale = partial(_look_up, url, pins_file, cache, 0.0, workers, fresh=False)
        results.append(summarize(f"{label}, revalidate (304)", repeat(stale, runs)))
    return results


def main() -> None:
    """Print the health look-up benchmarks as a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    parser.add_argument("--workers", type=int, default=8, help="concurrent requests")
    args = parser.parse_args()
    print(format_table(collect(args.data, args.runs, args.workers, bytecode_cache=args.bytecode_cache)))


if __name__ == "__main__":
    main()
