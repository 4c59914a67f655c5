"""Fixtures of the network tests: every test starts and ends with an empty graph cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crm.network import cache


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()
