"""Every third-party module the application imports is declared in pyproject.toml, so a
fresh install has it whatever the declared packages happen to pull in today (issue 19)."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"portal", "admin", "item_banks", "norms", "wsgi"}
APPLICATION = ["portal", "admin", "item_banks", "norms", "wsgi.py"]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _names(requirements: list[str]) -> set[str]:
    return {_normal(re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]) for requirement in requirements}


def _declared() -> set[str]:
    return _names(_project()["dependencies"])


def _pinned(lock: str) -> dict[str, str]:
    """Name -> exact version of each `name==version` line of a lock file in requirements/."""
    pins = {}
    for line in (ROOT / "requirements" / lock).read_text(encoding="utf-8").splitlines():
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line)
        if match:
            pins[_normal(match[1])] = match[2]
    return pins


def _imported() -> dict[str, set[str]]:
    """Top-level module -> files of the application that import it (absolute imports)."""
    found: dict[str, set[str]] = {}
    for entry in APPLICATION:
        path = ROOT / entry
        for file in ([path] if path.is_file() else path.rglob("*.py")):
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    found.setdefault(name.split(".")[0], set()).add(str(file.relative_to(ROOT)))
    return found


def test_every_imported_package_is_declared():
    distributions = metadata.packages_distributions()
    declared = _declared()
    missing = {}
    for module, files in _imported().items():
        if module in FIRST_PARTY or module in sys.stdlib_module_names or module == "__future__":
            continue
        owners = {_normal(d) for d in distributions.get(module, [])}
        assert owners, f"{module} is imported ({sorted(files)[0]}) but no installed distribution provides it"
        if not owners & declared:
            missing[module] = sorted(owners)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_every_declared_dependency_is_locked():
    """`make install` and `make test` install the lock files; a dependency added to pyproject.toml
    without `make lock` would be missing from them (README, "Dependencies")."""
    project = _project()
    runtime, test = _pinned("lock.txt"), _pinned("lock-test.txt")
    unlocked = sorted(_declared() - runtime.keys())
    assert not unlocked, f"not in requirements/lock.txt (run make lock): {unlocked}"
    unlocked = sorted((_declared() | _names(project["optional-dependencies"]["test"])) - test.keys())
    assert not unlocked, f"not in requirements/lock-test.txt (run make lock): {unlocked}"
    differ = {name: (version, test.get(name)) for name, version in runtime.items() if test.get(name) != version}
    assert not differ, f"the test lock installs other versions than the runtime lock (run make lock): {differ}"
