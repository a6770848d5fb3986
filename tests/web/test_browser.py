"""The page in a real browser: headless Debian Chromium driven by Playwright.

Needs ``apt-get install chromium`` and ``pip install playwright`` (never ``playwright install``:
the test drives /usr/bin/chromium, or $CARTAGENA_CHROMIUM). Screenshots go to artifacts/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")

CHROMIUM = os.environ.get("CARTAGENA_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    profile = tmp_path_factory.mktemp("chromium-profile")  # a new, empty --user-data-dir
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 900},
            permissions=["clipboard-read", "clipboard-write"],
        )
        context.set_default_timeout(60_000)  # the model runs on a shared CPU
        yield context
        context.close()


def test_search_copy_similar_ask_in_a_browser(
    browser_context, live_server: str, artifacts_dir: Path
) -> None:
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server + "/")

    # type a query, see cited results with highlights
    page.fill("input[name=q]", "family reunification")
    page.press("input[name=q]", "Enter")
    first = page.locator("article.result").first
    first.wait_for()
    assert page.locator("article.result").count() >= 3
    # both documents say "family reunification"; the first hit names its document and page
    assert (
        first.locator("cite")
        .inner_text()
        .startswith(("Conclusions and Recommendations", "Multi-stakeholder Pledge"))
    )
    assert "family reunification" in first.inner_text().lower()
    assert page.locator("article.result mark").count() > 0
    page.screenshot(path=str(artifacts_dir / "search-desktop.png"), full_page=True)

    # copy a citation
    button = first.locator("button.copy")
    expected = button.get_attribute("data-copy")
    button.click()
    sync_api.expect(button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == expected

    # open similar language
    first.locator("a.similar-link").click()
    page.wait_for_url("**/similar")
    assert page.locator("h1").inner_text() == "Similar language"
    assert page.locator("article.result").count() >= 3
    page.screenshot(path=str(artifacts_dir / "similar-desktop.png"), full_page=True)

    # ask a question, read the answer's citation in its document
    page.goto(live_server + "/")
    page.click("#tab-ask")
    page.fill("input[name=question]", "When was the Cartagena Declaration adopted?")
    page.press("input[name=question]", "Enter")
    sentence = page.locator(".answer-sentence").first
    sentence.wait_for()
    assert "1984" in sentence.inner_text()
    page.screenshot(path=str(artifacts_dir / "ask-desktop.png"), full_page=True)
    sentence.locator("a.cite-link").click()
    cited = page.locator("mark.cited").first
    cited.wait_for()
    assert "1984" in cited.inner_text()
    assert cited.is_visible() and _in_viewport(page, cited)
    assert not errors, errors


def test_page_fits_a_phone_screen(browser_context, live_server: str, artifacts_dir: Path) -> None:
    page = browser_context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/?q=student+visas&k=5")
    page.locator("article.result").first.wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than a phone screen"
    page.screenshot(path=str(artifacts_dir / "search-phone.png"), full_page=True)


def test_page_speaks_the_visitors_language(
    browser_context, live_server: str, artifacts_dir: Path
) -> None:
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        # the browser asks for Portuguese: the page is in Portuguese
        page.set_extra_http_headers({"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.5"})
        page.goto(live_server + "/")
        assert page.locator("html").get_attribute("lang") == "pt"
        assert "Pesquisar nos documentos" in page.locator("form.query").inner_text()
        # the switch in the header: Spanish, kept for the next pages over the browser's choice
        page.click("#ui-lang-es")
        page.wait_for_url("**lang_ui=es**")
        page.fill("input[name=q]", "reunificación familiar")
        page.press("input[name=q]", "Enter")
        first = page.locator("article.result").first
        first.wait_for()
        assert page.locator("html").get_attribute("lang") == "es"
        assert "Buscar en los documentos" in page.locator("form.query").inner_text()
        button = first.locator("button.copy")
        assert button.inner_text() == "Copiar cita"
        button.click()
        sync_api.expect(button).to_have_text("Copiada")
        page.screenshot(path=str(artifacts_dir / "search-es-desktop.png"), full_page=True)
        page.click("#ui-lang-en")
        page.wait_for_url("**lang_ui=en**")
        assert page.locator("html").get_attribute("lang") == "en"
        assert button.count() == 0 or "Copy citation" in page.content()
        assert not errors, errors
    finally:
        browser_context.clear_cookies()  # the profile is shared with the other tests


def _in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.evaluate("window.innerHeight")
    return box is not None and box["y"] < height and box["y"] + box["height"] > 0
