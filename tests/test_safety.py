"""Nothing from a file or a URL is ever executed: no pickle, eval or exec in the app's code,
raw HTML only at the two places that render static text (no data reaches them), and no
value reaches a Markdown-rendering element without `ui.text.md`."""

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
RAW_HTML = {
    ("app.py", "st.html"),
    ("views/dashboard.py", "unsafe_allow_html"),
    ("views/dashboard.py", "st.html"),
    ("ui/busy.py", "st.html"),  # static CSS: the busy and reconnecting notices
    ("ui/embed.py", "st.html"),  # the embed's CSS (numbers only) and legend (schema labels)
}


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


# Elements that render their text as Markdown (first argument, or these keywords).
MARKDOWN_SINKS = {
    "markdown",
    "caption",
    "title",
    "header",
    "subheader",
    "warning",
    "error",
    "info",
    "success",
    "toast",
    "expander",
    "status",
    # widget labels render Markdown too
    "button",
    "download_button",
    "selectbox",
    "multiselect",
    "radio",
    "number_input",
    "text_input",
    "toggle",
    "checkbox",
    "date_input",
    "file_uploader",
    "metric",
}
MARKDOWN_KEYWORDS = {"label", "help", "body"}
# Expressions built from md() output, constants and numbers only (file, expression as
# written): each was read when added here.
COMPOSED = {
    ("ui/detail.py", "links"),  # md(id) and a percent-encoded id in the app's own link
    ("ui/detail.py", "count"),  # " · count: " + md(...)
    ("ui/detail.py", "people"),  # md(...) parts
    ("ui/detail.py", "cite"),  # md(...) parts
    ("ui/mapping_editor.py", "title"),  # a constant
    ("ui/mapping_editor.py", "help_text"),  # the importer's own field help (atlas.intake.FIELDS)
    ("ui/exports.py", "extra"),  # a number
    ("ui/exports.py", "fmt.label"),  # atlas.export.data.FORMATS' own labels
    ("ui/exports.py", "name"),  # a file name from the figure kind and format chosen
    ("ui/mapping_editor.py", "name"),  # a field name of the importer (atlas.intake.FIELDS)
    ("ui/sidebar.py", "people"),  # numbers formatted with ","
    ("views/dashboard.py", "where"),  # a cell's numbers
    ("ui/embed.py", "_full_view_link(filters)"),  # fixed words, URL-encoded valid filters
    ("views/data.py", "in_use"),  # md(dataset.origin) or a constant
    ("ui/summary.py", "line"),  # ui.scopetext.scope_line: md(...) parts and numbers
    ("ui/summary.py", "documents"),  # ui.scopetext.document_lines: md(...) parts
}


def _unescaped(value: ast.expr, file: str) -> list[ast.FormattedValue]:
    """Interpolations of an f-string (or a + of f-strings) that do not pass `md` and are
    not formatted as numbers (a format spec such as `:,` or `:g` takes only numbers)."""
    found = []
    if isinstance(value, ast.Name | ast.Attribute | ast.Subscript):  # a bare value
        constant = isinstance(value, ast.Name) and value.id.isupper()  # e.g. ATTRIBUTION
        if not constant and (file, ast.unparse(value)) not in COMPOSED:
            found.append(ast.FormattedValue(value, -1, None, lineno=value.lineno))
    for node in ast.walk(value):
        if isinstance(node, ast.FormattedValue) and node.format_spec is None:
            inner = node.value
            if isinstance(inner, ast.Call) and getattr(inner.func, "id", "") in {"md", "len"}:
                continue
            if (file, ast.unparse(inner)) in COMPOSED:
                continue
            found.append(node)
    return found


def test_every_interpolation_into_a_markdown_sink_is_escaped():
    """`st.warning(f"... {value}")` must read `{md(value)}` (or a number format)."""
    bad = []
    for path in CODE:
        if path.parts[-2] not in {"ui", "views"} and path.name != "app.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            # st.markdown(...), and a helper of that name that collects the Markdown of
            # elements drawn later (ui.detail.card's markdown/caption)
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            args = []
            if name in MARKDOWN_SINKS and node.args:
                args.append(node.args[0])
            args += [k.value for k in node.keywords if k.arg in MARKDOWN_KEYWORDS]
            file = str(path.relative_to(ROOT))
            for arg in args:
                for value in _unescaped(arg, file):
                    bad.append(f"{file}:{value.lineno} {ast.unparse(value)}")
    assert bad == [], "\n".join(bad)
