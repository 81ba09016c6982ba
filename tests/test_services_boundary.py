"""Services (portal/services/) take a session and plain values and import no Flask:
responses, templates and request state belong to the views and the web helpers."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "portal" / "services"
#: Top-level packages a service must not import, at module level or inside a function.
WEB_PACKAGES = ("flask", "werkzeug")


def _is_web(module: str) -> bool:
    top = module.split(".")[0]
    return top in WEB_PACKAGES or top.startswith("flask_")


def web_imports(path: Path) -> list[str]:
    """``<module>:<line> imports <name>`` for each import of Flask, a Flask extension
    (``flask_*``) or Werkzeug in the file at ``path``, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in sorted(ast.walk(tree), key=lambda n: getattr(n, "lineno", 0)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
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
    module = tmp_path / "x.py"
    module.write_text("import os\nimport flask\nfrom flask_babel import gettext\n\n"
                      "def f():\n    from werkzeug.exceptions import NotFound\n    import flask_login.utils\n"
                      "from .flask import y\nimport flasky\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert web_imports(module) == ["x.py:2 imports flask", "x.py:3 imports flask_babel",
                                   "x.py:6 imports werkzeug.exceptions", "x.py:7 imports flask_login.utils"]
