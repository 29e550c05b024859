"""HTTP schemas for notifications (STYLE 25): channels, deliveries with their attempts, admin notices.

A channel's `url` is checked with Apprise when given (422 `body.url: …` for a URL Apprise cannot
use) and is only ever shown masked (`ChannelPublic.from_channel`), since it usually holds a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from pysteward.server.estate.schemas import StrictModel
from pysteward.server.notify.models import AttemptOutcome, Channel, DeliveryStatus
from pysteward.server.notify.sender import check_url, masked
from pysteward.server.pagination import MAX_ID

__all__ = [
    "AttemptPublic",
    "ChannelCreate",
    "ChannelFilters",
    "ChannelPublic",
    "ChannelUpdate",
    "DeliveryDetail",
    "DeliveryFilters",
    "DeliveryPublic",
    "NoticePublic",
]


def _apprise_url(value: str) -> str:
    reason = check_url(value)
    if reason is not None:
        raise ValueError(reason)
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
AppriseUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000), AfterValidator(_apprise_url)
]


class ChannelCreate(StrictModel):
    """A new channel. No `client_id` and no `service_id`: provider-wide; a `service_id` alone takes
    its service's client."""

    name: Name
    url: AppriseUrl = Field(description="An Apprise URL, e.g. mailtos://… or json://…; it is shown masked.")
    client_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    service_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    subscribed: bool = True
    for_admins: bool = False
    enabled: bool = True


class ChannelUpdate(StrictModel):
    """Changes to a channel; absent or null fields stay. The scope (client, service) cannot change."""

    name: Name | None = None
    url: AppriseUrl | None = None
    subscribed: bool | None = None
    for_admins: bool | None = None
    enabled: bool | None = None


class ChannelPublic(BaseModel):
    """A channel as the API shows it: the URL with its secrets masked."""

    id: int
    client_id: int | None
    service_id: int | None
    name: str
    url: str
    subscribed: bool
    for_admins: bool
    enabled: bool
    disabled_reason: str
    created_at: datetime

    @classmethod
    def from_channel(cls, channel: Channel) -> ChannelPublic:
        """The public view of `channel`, its URL masked."""
        values = {name: getattr(channel, name) for name in cls.model_fields if name != "url"}
        return cls(**values, url=masked(channel.url))


class AttemptPublic(BaseModel):
    """One attempt to send a delivery."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    outcome: AttemptOutcome
    error: str
    duration_ms: float


class DeliveryPublic(BaseModel):
    """A delivery: one message to one channel or user, and where its sending stands."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    channel_id: int | None
    user_id: int | None
    client_id: int | None
    incident_id: int | None
    event: str
    title: str
    body: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    finished_at: datetime | None


class DeliveryDetail(DeliveryPublic):
    """A delivery with every attempt, oldest first."""

    attempt_log: list[AttemptPublic]


class NoticePublic(BaseModel):
    """A notice for the provider's admins."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    kind: str
    message: str
    channel_id: int | None
    read_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelFilters:
    """What a channel list is narrowed to; None means any."""

    client_id: int | None = None
    service_id: int | None = None
    enabled: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryFilters:
    """What a delivery list is narrowed to; None means any."""

    channel_id: int | None = None
    incident_id: int | None = None
    status: DeliveryStatus | None = None
