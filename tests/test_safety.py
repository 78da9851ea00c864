"""Nothing from a file or a URL is ever executed: no pickle, eval or exec in the app's code,
and raw HTML only at the two places that render static text (no data reaches them)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CODE = sorted(
    p for folder in ("atlas", "geo", "ui", "views") for p in (ROOT / folder).rglob("*.py")
) + [ROOT / "app.py"]
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "marshal", "shelve", "joblib"}
FORBIDDEN_ATTRIBUTES = {"read_pickle", "to_pickle", "unsafe_load", "load_pickle"}
# (file, line text) of the raw-HTML calls allowed: both render constant markup only.
RAW_HTML = {("app.py", "st.html"), ("views/dashboard.py", "unsafe_allow_html")}


def test_the_scan_sees_the_code():
    assert len(CODE) > 30


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_code_execution_from_data(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno}"
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = {a.name.split(".")[0] for a in node.names}
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module.split(".")[0])
            assert not names & FORBIDDEN_MODULES, f"{path.name}:{node.lineno}"
        if isinstance(node, ast.Attribute):
            assert node.attr not in FORBIDDEN_ATTRIBUTES, f"{path.name}:{node.lineno}"


def test_raw_html_only_where_it_renders_static_text():
    found = set()
    for path in CODE:
        text = path.read_text(encoding="utf-8")
        relative = str(path.relative_to(ROOT))
        for marker in ("unsafe_allow_html=True", "st.html("):
            if marker in text:
                found.add((relative, marker.split("=")[0].split("(")[0]))
    assert found == RAW_HTML
