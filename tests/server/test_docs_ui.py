"""The API docs page loads every asset from Steward itself (no CDN), so it works offline."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_the_docs_page_references_only_assets_steward_serves(client: TestClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    links = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sorted(links) == [
        "/api/v1/docs/assets/favicon-32x32.png",
        "/api/v1/docs/assets/swagger-ui-bundle.js",
        "/api/v1/docs/assets/swagger-ui.css",
    ]
    assert not re.search(r"https?://", page.text)  # nothing fetched from elsewhere
    assert "url: '/api/v1/openapi.json'" in page.text
    kinds = {link.rsplit(".", 1)[1]: client.get(link) for link in links}
    assert all(asset.status_code == 200 for asset in kinds.values())
    assert "javascript" in kinds["js"].headers["content-type"]
    assert "SwaggerUIBundle" in kinds["js"].text
    assert kinds["css"].headers["content-type"].startswith("text/css")
    assert kinds["png"].content.startswith(b"\x89PNG")


def test_a_missing_docs_asset_answers_404(client: TestClient) -> None:
    assert client.get("/api/v1/docs/assets/no-such-file.js").status_code == 404
