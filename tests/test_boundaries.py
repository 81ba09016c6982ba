"""item_banks/ and norms/ are pure Python + numpy: no Flask, no SQLAlchemy, no portal."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = set(sys.stdlib_module_names) | {"numpy", "item_banks", "norms"}


def imported_modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield path, node.module.split(".")[0]


@pytest.mark.parametrize("package", ["item_banks", "norms"])
def test_pure_packages_import_only_stdlib_and_numpy(package):
    found = list(imported_modules(package))
    assert found, f"no imports found in {package}: is the package there?"
    bad = [f"{p.relative_to(ROOT)} imports {m}" for p, m in found if m not in ALLOWED]
    assert not bad, "\n".join(bad)


def test_the_boundary_check_catches_a_violation(tmp_path, monkeypatch):
    pkg = tmp_path / "fake_pkg"
    pkg.mkdir()
    (pkg / "x.py").write_text("import flask\nfrom sqlalchemy import select\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    mods = {m for _, m in imported_modules("fake_pkg")}
    assert mods - ALLOWED == {"flask", "sqlalchemy"}
