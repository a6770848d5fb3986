"""The server-rendered web page: Jinja2 templates and a small static script, no build step."""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")
