"""Who is asking: a user through a browser session or an API token, with the role and client scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pysteward.server.tenancy.models import Role

__all__ = ["Principal"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """The authenticated caller of one request.

    `client_id` is None for provider staff (they see every client) and the viewer's client otherwise;
    a token narrows both to what it was issued for.
    """

    user_id: int
    role: Role
    client_id: int | None
    via: Literal["session", "token", "local"]
    token_id: int | None = None

    @property
    def actor_id(self) -> int | None:
        """The user to record as having done something; None for the local operator (`via="local"`,
        the CLI on the local database), who is not a row of `users`."""
        return None if self.via == "local" else self.user_id

    @property
    def is_provider(self) -> bool:
        """Provider staff (admin or engineer) see every client."""
        return self.role in {Role.ADMIN, Role.ENGINEER}

    @property
    def can_write(self) -> bool:
        """Only provider staff change clients, services and monitors."""
        return self.is_provider

    def sees_client(self, client_id: int) -> bool:
        """Whether objects of `client_id` exist for this caller (others answer 404)."""
        return (self.is_provider and self.client_id is None) or self.client_id == client_id
