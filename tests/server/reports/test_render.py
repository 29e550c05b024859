"""Rendering: the PDF fetches nothing; times and changes as the report writes them."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from pysteward.server.reports import render

PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cf000000030101001845d5d30000000049454e44ae426082"
    )
).decode()


def test_the_pdf_renderer_refuses_every_url_but_inline_data(caplog: pytest.LogCaptureFixture) -> None:
    fetcher = render._fetcher()
    with pytest.raises(ValueError, match=r"^http://127\.0\.0\.1:9/logo\.png: a report fetches nothing$"):
        fetcher.fetch("http://127.0.0.1:9/logo.png")
    with pytest.raises(ValueError, match="a report fetches nothing"):
        fetcher.fetch("file:///nowhere/steward.css")
    assert fetcher.fetch(f"data:image/png;base64,{PIXEL}").read().startswith(b"\x89PNG")
    page = f'<img src="http://127.0.0.1:9/logo.png"><img src="data:image/png;base64,{PIXEL}"><p>hello</p>'
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render.render_pdf(page)
    assert pdf.startswith(b"%PDF-")
    assert "a report fetches nothing" in caplog.text  # WeasyPrint said it could not load the first image


def test_times_are_local_and_changes_signed() -> None:
    moment = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
    assert render.local_time(moment, "Europe/Paris") == "2026-11-10 11:00 CET"
    assert render.local_time(None, "Europe/Paris") == "—"
    later = datetime(2026, 11, 11, 0, 30, tzinfo=UTC)
    assert render._span(moment, moment.replace(minute=30), "Europe/Paris") == "2026-11-10 11:00 → 11:30 CET"
    assert render._span(moment, later, "Europe/Paris") == "2026-11-10 11:00 CET → 2026-11-11 01:30 CET"
    assert [render._signed(v) for v in (Decimal("0.012"), Decimal("-0.070"), 0, None)] == [
        "+0.012",
        "−0.070",
        "±0",
        "—",
    ]
