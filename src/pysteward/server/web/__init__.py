"""The web console: server-rendered pages for provider staff and the read-only client portal.

Pages are Jinja2 templates with a little plain JavaScript; every asset is served by Steward itself
(`/static/…`), so the console works offline and sends no reader anywhere else. Each domain keeps its
pages in its own `views.py`; this package holds what they share: templating, the signed-in viewer
and the login, logout and password pages.
"""
