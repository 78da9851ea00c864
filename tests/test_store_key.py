"""The columnar copy (atlas.store) is keyed on the data and on the code that checks it: a
change of a rule or of the schema builds a new copy instead of serving a stale one."""

from __future__ import annotations

from pathlib import Path

from atlas import store


def test_the_copy_folder_names_the_code_version(data_copy) -> None:
    folder = data_copy()
    assert store.copy_folder(folder, Path("/x")).name.endswith("-" + store.code_version())


def test_a_change_of_code_builds_a_new_copy(data_copy, tmp_path, monkeypatch) -> None:
    folder, cache = data_copy(), tmp_path / "store"
    first, _ = store.load_tables(folder, cache)
    # A stale copy made by other rules: marked so that serving it would show.
    (old,) = cache.iterdir()
    monkeypatch.setattr(store, "code_version", lambda: "other-rules")
    second, _ = store.load_tables(folder, cache)
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [old.name, f"{first.version}-other-rules"]
    )
    assert len(second.incidents) == len(first.incidents)


def test_the_code_version_follows_the_rules_source(monkeypatch, tmp_path) -> None:
    before = store.code_version()
    for name in store.code_files():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((store.PROJECT_ROOT / name).read_bytes())
    (tmp_path / "atlas" / "rules.py").write_text("# another rule\n", encoding="utf-8")
    monkeypatch.setattr(store, "PROJECT_ROOT", tmp_path)
    store.code_version.cache_clear()
    try:
        assert store.code_version() != before
    finally:
        monkeypatch.undo()
        store.code_version.cache_clear()
    assert store.code_version() == before


def test_the_code_version_covers_every_module_the_copy_imports() -> None:
    files = store.code_files()
    for name in ("atlas/rules.py", "atlas/schema.py", "atlas/evidence.py", "geo/admin.py"):
        assert name in files
    assert "atlas/mapspec.py" not in files  # drawing code does not change what is stored
