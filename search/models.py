"""Search modes. The records search returns (``Hit``, ``Document``, ``PassageView``) and its
filters are the index's own: :mod:`index.models`."""

from __future__ import annotations

from typing import Literal

Mode = Literal["dense", "lexical", "hybrid"]
MODES: tuple[str, ...] = ("dense", "lexical", "hybrid")
