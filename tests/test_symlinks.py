"""Files and folders are read only inside the given paths: a symlink that leaves them is a warning, not a read."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from kg import api
from kg.cli import main

SECRET = "hunter2-a81f"


def workspace(tmp_path: Path) -> Path:
    """A repository whose docs link to /etc/passwd, to a secrets file and folder outside it, and inside it."""
    outside = tmp_path / "outside"
    (outside / "more").mkdir(parents=True)
    (outside / "secrets.md").write_text(f"# Secrets\n\nVault token {SECRET}. Orders API depends on Redpanda.\n")
    (outside / "more" / "x.md").write_text(f"# More\n\n{SECRET}\n")
    repo = tmp_path / "ws" / "shop"
    (repo / "docs").mkdir(parents=True)
    (repo / "README.md").write_text("# Shop\n\n| Service | Depends on |\n|---|---|\n| Orders API | Redpanda |\n")
    os.symlink("/etc/passwd", repo / "docs" / "passwd.md")
    os.symlink(outside / "secrets.md", repo / "docs" / "secrets.md")
    os.symlink(outside / "more", repo / "docs" / "more")
    os.symlink("../README.md", repo / "docs" / "inside.md")  # stays inside: read as before
    (tmp_path / "ws" / "infra").mkdir()
    (tmp_path / "ws" / "infra" / "README.md").write_text("# Infra\n\nRedpanda runs here.\n")
    os.symlink(outside, tmp_path / "ws" / "elsewhere")  # a "repository" of the workspace that is not in it
    return tmp_path / "ws"


def test_symlinks_out_of_the_workspace_are_warnings_not_reads(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    directory = tmp_path / ".kg"
    meta = api.build_graph([str(root)], directory)
    warned = {w.split(":", 1)[0]: w for w in meta["warnings"]}
    for path, what in (("shop/docs/passwd.md", "file"), ("shop/docs/secrets.md", "file"),
                       ("shop/docs/more", "folder"), ("ws/elsewhere", "folder")):
        assert f"a symlink to a {what} outside the given paths" in warned[path], meta["warnings"]
    kg = api.open(directory, build_if_missing=False)
    assert sorted(d["path"] for d in kg.model["documents"]) == ["infra/README.md", "shop/README.md",
                                                                "shop/docs/inside.md"]
    assert len(meta["warnings"]) == 4
    # every file of the build (the JSON, the N-Triples, the index, the store's files) and of the cache
    stored = b"".join(p.read_bytes() for p in directory.rglob("*") if p.is_file())
    assert SECRET.encode() not in stored and b"root:x:0:0" not in stored
    runner = CliRunner()
    for args in (["impact", "Redpanda", "--format", "csv"], ["export", "--format", "html"]):
        out = runner.invoke(main, [*args, "--graph-dir", str(directory)], catch_exceptions=False).stdout
        assert "Orders API" in out and SECRET not in out


def test_a_workspace_given_through_a_symlink_is_read(tmp_path: Path) -> None:
    real = tmp_path / "real" / "shop"
    real.mkdir(parents=True)
    (real / "README.md").write_text("# Shop\n\nHello.\n")
    os.symlink(real, tmp_path / "link")
    meta = api.build_graph([str(tmp_path / "link")], tmp_path / ".kg")
    assert meta["stats"]["documents"] == 1 and not meta["warnings"]
