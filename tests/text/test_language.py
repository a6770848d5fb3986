"""detect_language on the gold queries, on short phrases and on whole documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.gold import load_gold
from text.language import detect_language


def _expected(tags: tuple[str, ...]) -> str:
    return "es" if "es" in tags else "pt" if "pt" in tags else "en"


@pytest.mark.parametrize("name", ["cartagena-dev.jsonl", "cartagena-dev-crosslingual.jsonl"])
def test_every_gold_query_gets_its_language(name: str, shared_dir: Path) -> None:
    wrong = [
        (q.query, _expected(q.tags), detect_language(q.query))
        for q in load_gold(shared_dir / "evals" / name)
        if detect_language(q.query) != _expected(q.tags)
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("student visas", "en"),
        ("refugees in Colombia", "en"),
        ("Brazil Plan of Action", "en"),
        ("Cartagena Declaration 1984", "en"),
        ("Quito Process", "en"),
        ("non-refoulement", "en"),
        ("Plan de Acción de Brasil", "es"),
        ("niños no acompañados", "es"),
        ("deportación de migrantes", "es"),
        ("personas refugiadas en Colombia", "es"),
        ("¿Quién financia los albergues?", "es"),
        ("migracion laboral", "es"),
        ("Plano de Ação do Brasil", "pt"),
        ("crianças desacompanhadas", "pt"),
        ("deportação de migrantes", "pt"),
        ("pessoas refugiadas no Brasil", "pt"),
        ("quem financia os abrigos?", "pt"),
    ],
)
def test_short_phrases(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", "   ", "1984", "—", "UNHCR"])
def test_no_sign_means_english(text: str) -> None:
    assert detect_language(text) == "en"


ES_DOC = """Los Estados de la región reafirmaron su compromiso con la protección internacional
de las personas refugiadas. La migración forzada por la violencia exige respuestas coordinadas
entre los gobiernos, la sociedad civil y los organismos internacionales. Se recomendó ampliar
los programas de reasentamiento y facilitar el acceso a documentos de identidad."""

PT_DOC = """Os Estados da região reafirmaram o seu compromisso com a proteção internacional das
pessoas refugiadas. A migração forçada pela violência exige respostas coordenadas entre os
governos, a sociedade civil e os organismos internacionais. Recomendou-se ampliar os programas
de reassentamento e facilitar o acesso a documentos de identidade."""

EN_DOC = """The States of the region reaffirmed their commitment to the international protection
of refugees. Forced displacement caused by violence calls for coordinated responses between
governments, civil society and international organisations."""


@pytest.mark.parametrize(("text", "lang"), [(ES_DOC, "es"), (PT_DOC, "pt"), (EN_DOC, "en")])
def test_documents(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_shared_corpus_is_english(shared_dir: Path) -> None:
    texts = sorted((shared_dir / "corpus" / "text").glob("*"))
    assert len(texts) == 2
    assert {detect_language(p.read_text(errors="replace")) for p in texts} == {"en"}
