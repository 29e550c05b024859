"""HTTP schemas for services (STYLE 25): `ServiceCreate`, `ServiceUpdate`, `ServicePublic`, filters.

`StrictModel` and `refuse_nul` are shared with the other domains' request schemas: PostgreSQL cannot
store a NUL character in text (nor `\u0000` in JSONB), so such input is refused with 422 up front
instead of failing in the database with a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from pysteward.server.pagination import MAX_ID

__all__ = [
    "NUL_MESSAGE",
    "SafeText",
    "ServiceCreate",
    "ServiceFilters",
    "ServicePublic",
    "ServiceUpdate",
    "StrictModel",
    "refuse_nul",
]

NUL_MESSAGE = "must not contain NUL characters"


def refuse_nul(value: Any) -> Any:
    """`value` unchanged; ValueError if a string in it (nested in lists and dicts, keys too) holds NUL."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(NUL_MESSAGE)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            refuse_nul(item)
    return value


SafeText = Annotated[str, AfterValidator(refuse_nul)]
"""A string without NUL characters, e.g. for a query parameter."""

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Environment = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class StrictModel(BaseModel):
    """A request body: unknown fields are refused, and so are NUL characters in any string."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class ServiceCreate(StrictModel):
    """A new service of a client."""

    client_id: int = Field(ge=1, le=MAX_ID)
    name: Name
    environment: Environment = "production"
    owners: list[Label] = Field(default_factory=list, max_length=100)
    repository_paths: list[Label] = Field(default_factory=list, max_length=100)
    tags: list[Tag] = Field(default_factory=list, max_length=100)


class ServiceUpdate(StrictModel):
    """Changes to a service; absent or null fields stay as they are. The client cannot change."""

    name: Name | None = None
    environment: Environment | None = None
    owners: list[Label] | None = Field(default=None, max_length=100)
    repository_paths: list[Label] | None = Field(default=None, max_length=100)
    tags: list[Tag] | None = Field(default=None, max_length=100)


class ServicePublic(BaseModel):
    """A service as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    client_id: int
    name: str
    environment: str
    owners: list[str]
    repository_paths: list[str]
    tags: list[str]
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceFilters:
    """What a service list is narrowed to; None means any."""

    client_id: int | None = None
    environment: str | None = None
    tag: str | None = None
