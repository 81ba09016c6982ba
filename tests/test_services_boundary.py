"""Services (portal/services/) take a session and plain values and import no Flask:
responses, templates and request state belong to the views and the web helpers."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "portal" / "services"
#: Top-level packages a service must not import, at module level or inside a function.
WEB_PACKAGES = ("flask", "werkzeug")
#: The project's own app-bound modules (they read ``current_app`` or ``g``, or hold
#: Flask-Babel's lazy texts): services get what they need from them as parameters instead
#: (the session from ``portal.db``, translations through the renderer).
APP_MODULES = ("portal.resources", "portal.web", "portal.db", "portal.labels")


def _is_web(module: str) -> bool:
    top = module.split(".")[0]
    return top in WEB_PACKAGES or top.startswith("flask_") or module in APP_MODULES


def _absolute(path: Path, node: ast.ImportFrom) -> list[str]:
    """The modules an ``ImportFrom`` names, relative ones resolved against ``path``."""
    if node.level == 0:
        return [node.module]
    package = list(path.relative_to(ROOT).with_suffix("").parts[:-node.level])
    if node.module:
        return [".".join(package + [node.module])]
    return [".".join(package + [alias.name]) for alias in node.names]


def web_imports(path: Path) -> list[str]:
    """``<module>:<line> imports <name>`` for each import of Flask, a Flask extension
    (``flask_*``), Werkzeug or an ``APP_MODULES`` module in the file at ``path``,
    wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in sorted(ast.walk(tree), key=lambda n: getattr(n, "lineno", 0)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = _absolute(path, node)
        else:
            continue
        found += [f"{path.relative_to(ROOT)}:{node.lineno} imports {name}" for name in names if _is_web(name)]
    return found


def test_services_import_no_flask():
    modules = sorted(SERVICES.rglob("*.py"))
    assert len(modules) > 20, "portal/services not found"
    bad = [line for path in modules for line in web_imports(path)]
    assert not bad, "services must not import Flask or Werkzeug:\n" + "\n".join(bad)


def test_the_check_finds_every_kind_of_web_import(tmp_path, monkeypatch):
    module = tmp_path / "portal" / "services" / "x.py"
    module.parent.mkdir(parents=True)
    module.write_text("import os\nimport flask\nfrom flask_babel import gettext\n\n"
                      "def f():\n    from werkzeug.exceptions import NotFound\n    import flask_login.utils\n"
                      "from .flask import y\nimport flasky\nfrom .. import resources as res\n"
                      "from ..web import renderer\nfrom .. import labels\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert web_imports(module) == [
        "portal/services/x.py:2 imports flask", "portal/services/x.py:3 imports flask_babel",
        "portal/services/x.py:6 imports werkzeug.exceptions", "portal/services/x.py:7 imports flask_login.utils",
        "portal/services/x.py:10 imports portal.resources", "portal/services/x.py:11 imports portal.web",
        "portal/services/x.py:12 imports portal.labels"]
