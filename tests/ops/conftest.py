"""Fixtures for operations tests: an admin-enabled app over a private copy of the index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from cartagena.settings import Settings
from tests.utils.shared import ADMIN_KEY


@pytest.fixture
def admin_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"admin_api_key": SecretStr(ADMIN_KEY), "max_upload_bytes": 100_000}
    )


@pytest.fixture
def admin_client(index_copy: Path, admin_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(index_copy, admin_settings), raise_server_exceptions=False) as c:
        yield c
