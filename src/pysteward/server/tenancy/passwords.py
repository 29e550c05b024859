"""Password hashing with Argon2id (argon2-cffi), the algorithm OWASP recommends first.

`HASHER` is module-level so the test suite can swap in a low-cost one; `needs_rehash` lets a login
upgrade a hash made with older parameters.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["HASHER", "hash_password", "needs_rehash", "verify_password"]

HASHER = PasswordHasher()
"""argon2-cffi's defaults (RFC 9106 low-memory profile: 3 passes, 64 MiB)."""


def hash_password(password: str) -> str:
    """An Argon2id hash of `password` with a fresh salt."""
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches `password_hash`; False for a malformed hash, never an exception."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether `password_hash` was made with other parameters than `HASHER`'s (then rehash on login)."""
    return HASHER.check_needs_rehash(password_hash)
