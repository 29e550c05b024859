from argon2 import PasswordHasher

from pysteward.server.tenancy import passwords
from pysteward.server.tenancy.ratelimit import SlidingWindowLimiter


def test_a_hash_verifies_its_password_and_no_other():
    hashed = passwords.hash_password("a long enough password")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify_password(hashed, "a long enough password")
    assert not passwords.verify_password(hashed, "another password!!")


def test_a_malformed_hash_verifies_nothing():
    assert not passwords.verify_password("not-a-hash", "whatever password")


def test_a_hash_made_with_other_parameters_needs_a_rehash():
    old = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1).hash("a long enough password")
    assert passwords.needs_rehash(old)
    assert not passwords.needs_rehash(passwords.hash_password("a long enough password"))


def test_the_limiter_blocks_a_key_at_the_limit_until_the_oldest_event_leaves_the_window():
    limiter = SlidingWindowLimiter(limit=2, window=60)
    limiter.record(["a"], 100.0)
    assert limiter.retry_after(["a"], 100.0) is None
    limiter.record(["a"], 110.0)
    assert limiter.retry_after(["a", "b"], 120.0) == 40
    assert limiter.retry_after(["b"], 120.0) is None
    assert limiter.retry_after(["a"], 160.5) is None


def test_the_limiter_waits_at_least_one_second():
    limiter = SlidingWindowLimiter(limit=1, window=60)
    limiter.record(["a"], 0.0)
    assert limiter.retry_after(["a"], 59.9) == 1


def test_the_limiter_forgets_expired_keys_once_it_tracks_many(monkeypatch):
    from pysteward.server.tenancy import ratelimit

    monkeypatch.setattr(ratelimit, "_SWEEP_ABOVE", 2)
    limiter = SlidingWindowLimiter(limit=5, window=60)
    limiter.record(["a", "b", "c"], 0.0)
    limiter.record(["d"], 50.0)
    limiter.record(["e"], 100.0)
    assert sorted(limiter._events) == ["d", "e"]
