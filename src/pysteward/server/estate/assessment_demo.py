"""A small, realistic project for the demo to register as a service's repository path.

It is the kind of code a provider takes over: dependencies pinned by hand years ago (several with
known advisories in the OSV PyPI data, four of them critical), an end-of-life Python in
`.python-version` and the Dockerfile, and a shell call Bandit flags.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEMO_PROJECT", "seed_demo_project"]

DEMO_PROJECT = "orders-api"
"""The folder `seed_demo_project` writes below the directory it is given."""

_FILES = {
    "requirements.txt": """\
# Orders API: production dependencies, pinned by hand (last reviewed in 2022).
Django==3.2.12
djangorestframework==3.12.4
requests==2.25.1
urllib3==1.26.4
PyYAML==5.3.1
Jinja2==2.11.2
aiohttp==3.8.1
gunicorn==20.0.4
# The order-status chat assistant.
langchain==0.0.230
""",
    "pyproject.toml": """\
[project]
name = "orders-api"
version = "1.4.2"
description = "Orders, invoices and the order-status assistant of the web shop."
requires-python = ">=3.8"
""",
    ".python-version": "3.8\n",
    "Dockerfile": """\
FROM python:3.8-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY orders ./orders
CMD ["gunicorn", "orders.wsgi", "--bind", "0.0.0.0:8000"]
""",
    "orders/__init__.py": '"""Orders, invoices and the order-status assistant."""\n',
    "orders/exports.py": '''\
"""Nightly export of the day's orders to the warehouse's SFTP drop."""

import subprocess

import yaml


def load_settings(path):
    with open(path) as handle:
        return yaml.load(handle, Loader=yaml.Loader)


def upload(filename, target):
    return subprocess.call(f"sftp -b - {target} <<< 'put {filename}'", shell=True)
''',
}


def seed_demo_project(directory: Path) -> Path:
    """Write the demo project into `directory/orders-api` (replacing its files) and return that path."""
    root = directory / DEMO_PROJECT
    for name, text in _FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
