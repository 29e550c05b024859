"""Placeholder for the in-process asyncio runner."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI


@asynccontextmanager
async def running(app: FastAPI, *, enabled: bool) -> AsyncIterator[None]:
    """Run the checker for the application's lifetime (when `enabled`)."""
    yield
