"""Dependencies point one way: domain packages never import Streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_FILES = sorted([*ROOT.joinpath("atlas").rglob("*.py"), *ROOT.joinpath("geo").rglob("*.py")])


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_module_does_not_import_streamlit(path):
    assert "streamlit" not in imported_modules(path)


def test_the_check_sees_an_import(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("from streamlit import session_state\n")
    assert "streamlit" in imported_modules(sample)
