"""The API docs page (`/api/v1/docs`, Swagger UI) with every asset served by Steward itself.

FastAPI's default page loads Swagger UI from a CDN, so it breaks offline and sends each reader's
browser to a third party. The assets come from the `fastapi-swagger` package instead, which ships
Swagger UI 5: version 4 (as in `swagger-ui-bundle`) cannot read the OpenAPI 3.1 that FastAPI writes.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

__all__ = ["install_docs"]


def install_docs(app: FastAPI, prefix: str) -> None:
    """Serve the docs page at `{prefix}/docs` and its assets under `{prefix}/docs/assets/`."""
    assets = f"{prefix}/docs/assets"
    openapi_url = app.openapi_url or f"{prefix}/openapi.json"
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{app.title} API",
        swagger_js_url=f"{assets}/swagger-ui-bundle.js",
        swagger_css_url=f"{assets}/swagger-ui.css",
        swagger_favicon_url=f"{assets}/favicon-32x32.png",
    )

    @app.get(f"{prefix}/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return page

    app.mount(assets, StaticFiles(directory=str(files("fastapi_swagger") / "resources")), name="docs-assets")
