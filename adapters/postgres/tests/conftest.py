"""PostgreSQL for the adapter's tests: a fresh schema per test, skipped only when allowed.

The server is ``CASELOG_TEST_POSTGRES_DSN``, else a local default. Without a server the tests are
skipped, with the reason; under ``CI=true`` they fail instead, so CI never passes by skipping.
"""

import os
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from hypothesis import HealthCheck, settings

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/test"
IS_CI = os.environ.get("CI") == "true"

settings.register_profile(
    "caselog-postgres-quick", max_examples=12, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
settings.register_profile(
    "caselog-postgres-ci", max_examples=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow], print_blob=True,
)  # fmt: skip


@pytest.fixture(scope="session")
def is_ci() -> bool:
    """Whether the thorough CI profile applies."""
    return IS_CI


@pytest.fixture(scope="session")
def machine_settings() -> settings:
    """The state machine's Hypothesis settings: fewer examples than in-process stores, since
    every example makes a schema."""
    return settings.get_profile("caselog-postgres-ci" if IS_CI else "caselog-postgres-quick")


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    """The server's DSN, once it has answered; skip (or, under CI, fail) when it does not."""
    dsn = os.environ.get("CASELOG_TEST_POSTGRES_DSN") or DEFAULT_DSN
    try:
        with psycopg.connect(dsn, connect_timeout=5):
            pass
    except psycopg.Error as exc:
        reason = f"PostgreSQL does not answer at {dsn} (set CASELOG_TEST_POSTGRES_DSN): {exc}"
        if IS_CI:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return dsn


@pytest.fixture(autouse=True)
def _needs_postgres(postgres_dsn: str) -> None:
    """Every test here needs the server."""


@pytest.fixture
def new_schema(postgres_dsn: str) -> Iterator[Callable[[], str]]:
    """Make fresh schema names; every schema made under them is dropped after the test."""
    made: list[str] = []

    def make() -> str:
        made.append(f"caselog_test_{uuid.uuid4().hex[:16]}")
        return made[-1]

    yield make
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        for schema in made:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def schema(new_schema: Callable[[], str]) -> str:
    """A fresh schema name, dropped after the test."""
    return new_schema()


@pytest.fixture
def url(postgres_dsn: str, schema: str) -> str:
    """The store URL of the fresh schema."""
    return f"{postgres_dsn}{'&' if '?' in postgres_dsn else '?'}schema={schema}"
