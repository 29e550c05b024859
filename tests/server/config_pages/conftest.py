"""The notify tests' local webhook receiver (`webhook`), for the channel pages' "Send test"."""

from tests.server.notify.conftest import webhook  # noqa: F401 (a fixture, used by its name)
