"""Runs the example of docs/python.md, unchanged, on the fixture catalog."""
import contextlib
import io
import os
import re

import pytest


def docs_example():
    path = os.path.join(os.environ["CREDMATCH_SOURCE_DIR"], "docs", "python.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    section = text.split("## Example", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "docs/python.md: expected one python block under ## Example"
    return blocks[0]


def test_docs_example_runs_on_the_fixture_catalog(tmp_path, catalog_dir, monkeypatch):
    # The example opens "build/default-catalog" and reads "examples/data-analyst.json" from the
    # working folder.
    (tmp_path / "build").mkdir()
    os.symlink(catalog_dir, tmp_path / "build" / "default-catalog")
    os.symlink(os.path.join(os.environ["CREDMATCH_SOURCE_DIR"], "examples"), tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(docs_example(), "docs/python.md", "exec"), {"__name__": "__docs__"})
    printed = out.getvalue()
    assert "<credmatch.Catalog" in printed
    assert re.search(r"^1\. .* score 0\.\d+", printed, re.M), printed
    assert "gap: coverage" in printed and "path (" in printed
    assert "float32 (2, " in printed
    assert "('q1', 'sql', 1, " in printed, printed
