"""Optional generative answers from an OpenAI-compatible chat endpoint (off by default).

The model sees the retrieved passages labelled with their ids and must cite them as
``[passage-id]``. A cited id that is not among the retrieved passages is removed from the text
and reported: an answer may only point at evidence the reader can open.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from cartagena.settings import Settings
from index.models import Hit

log = logging.getLogger(__name__)
_CITE = re.compile(r"\[([^\[\]\n]{1,400})\]")
_ID = re.compile(r"[\w.+-]+:\d+")
SYSTEM = (
    "You answer questions about the documents of the Cartagena Process on refugee protection. "
    "Use only the passages given. After each sentence cite the passage ids it rests on in "
    "square brackets, e.g. [doc-id:0012]. If the passages do not answer the question, say so."
)


@dataclass
class Generated:
    text: str | None
    model: str
    citations: list[str] = field(default_factory=list)
    dropped_citations: list[str] = field(default_factory=list)
    error: str | None = None


def enabled(settings: Settings) -> bool:
    return bool(settings.llm_base_url)


def prompt(question: str, hits: list[Hit]) -> str:
    blocks = [f"[{h.passage_id}] ({h.citation})\n{h.text}" for h in hits]
    return "Passages:\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}"


def check_citations(text: str, allowed: set[str]) -> tuple[str, list[str], list[str]]:
    """(text without unresolved ids, resolved ids, dropped ids), ids in order of appearance."""
    kept: list[str] = []
    dropped: list[str] = []

    def fix(match: re.Match[str]) -> str:
        ids = _ID.findall(match.group(1))
        if not ids:
            return match.group(0)
        good = [i for i in ids if i in allowed]
        kept.extend(good)
        dropped.extend(i for i in ids if i not in allowed)
        return f"[{', '.join(good)}]" if good else ""

    cleaned = re.sub(r"[ \t]+([.,;:])", r"\1", _CITE.sub(fix, text)).strip()
    return cleaned, list(dict.fromkeys(kept)), list(dict.fromkeys(dropped))


def call_endpoint(settings: Settings, question: str, hits: list[Hit]) -> str:
    """POST {base}/chat/completions; the reply's first message content."""
    body = {
        "model": settings.llm_model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": prompt(question, hits)},
        ],
    }
    headers = {"Content-Type": "application/json"}
    if settings.llm_api_key is not None:
        headers["Authorization"] = f"Bearer {settings.llm_api_key.get_secret_value()}"
    url = str(settings.llm_base_url).rstrip("/") + "/chat/completions"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=settings.llm_timeout_s) as response:  # noqa: S310
        reply = json.loads(response.read())
    return str(reply["choices"][0]["message"]["content"])


def generate_answer(settings: Settings, question: str, hits: list[Hit]) -> Generated:
    """An answer written from ``hits``; on any endpoint failure, the error instead of a text."""
    try:
        raw = call_endpoint(settings, question, hits)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError, KeyError, IndexError) as exc:
        log.warning("generative answer failed: %s", exc)
        return Generated(
            None, settings.llm_model, error=f"the language model endpoint failed: {exc}"
        )
    text, kept, dropped = check_citations(raw, {h.passage_id for h in hits})
    if dropped:
        log.info("dropped citations that were not retrieved: %s", ", ".join(dropped))
    return Generated(text, settings.llm_model, kept, dropped)
