"""open_inputs: display paths of folders and archives, unsafe members refused, zip bombs, the
temporary folder's life."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from inputs_builders import BIASED, write, zip_bytes

from bias_review.inputs import InputFile, open_inputs
from bias_review.paths import expand_paths


def listed(paths, **kw) -> list[InputFile]:
    with open_inputs(paths, **kw) as files:
        return list(files)


def snapshot(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


# --------------------------------------------------------------------------- folders


def test_folder_files_are_shown_relative_to_the_folder(tmp_path):
    root = tmp_path / "archive"
    write(root / "2024-25" / "Renal" / "Lecture 07 - CKD.md", BIASED)
    write(root / "2024-25" / "Renal" / "notes.txt", BIASED)
    write(root / "2024-25" / "Renal" / ".hidden.txt", BIASED)
    write(root / "2024-25" / "Renal" / "~$lock.docx", b"x")
    write(root / "2024-25" / "Renal" / "photo.png", b"x")
    write(root / "page.html", "<p>x</p>")
    named = write(tmp_path / "named.txt", BIASED)
    got = listed([root, named])
    assert [f.display for f in got] == ["page.html", "2024-25/Renal/Lecture 07 - CKD.md",
                                        "2024-25/Renal/notes.txt", str(named)]
    assert all(f.path.is_file() and f.section is None and f.error is None for f in got)
    assert got[1].path == root / "2024-25" / "Renal" / "Lecture 07 - CKD.md"  # read in place, not copied


def test_exclude_matches_the_display_path_or_the_name(tmp_path):
    root = tmp_path / "archive"
    write(root / "old" / "a.txt", BIASED)
    write(root / "new" / "b.txt", BIASED)
    write(root / "new" / "draft-c.txt", BIASED)
    assert [f.display for f in listed([root], exclude=["old/*", "draft-*"])] == ["new/b.txt"]


def test_expand_paths_keeps_its_paths(tmp_path):
    """The scan command's expansion is unchanged: paths as found, HTML now among them."""
    write(tmp_path / "d" / "a.txt", "x")
    write(tmp_path / "d" / "b.htm", "x")
    write(tmp_path / "d" / "c.zip", "x")
    assert expand_paths([tmp_path / "d"]) == [tmp_path / "d" / "a.txt", tmp_path / "d" / "b.htm"]


# --------------------------------------------------------------------------- zips


def test_zip_members_and_a_nested_zip(tmp_path):
    inner = zip_bytes({"deep/notes.txt": BIASED, "too-deep.zip": zip_bytes({"x.txt": BIASED})})
    write(tmp_path / "courses" / "renal.zip", zip_bytes({
        "inner/path.md": f"# Renal\n\n{BIASED}\n", "nested.zip": inner, "figure.png": b"\x89PNG",
        "__MACOSX/inner/._path.md": b"x", "folder/": b""}))
    with open_inputs([tmp_path / "courses"]) as files:
        got = [(f, None if f.error else f.path.read_text(encoding="utf-8")) for f in files]
    assert [(f.display, f.error, text) for f, text in got] == [
        ("renal.zip!inner/path.md", None, f"# Renal\n\n{BIASED}\n"),
        ("renal.zip!nested.zip!deep/notes.txt", None, BIASED),
        ("renal.zip!nested.zip!too-deep.zip", "archive nested more than 1 level deep; not opened", None),
    ]
    got = [f for f, _ in got]
    assert got[0].path.suffix == ".md" and got[1].path.suffix == ".txt"  # the format hint survives


def test_a_named_zip_is_shown_as_named(tmp_path):
    archive = write(tmp_path / "archive.zip", zip_bytes({"inner/path.txt": BIASED}))
    assert [f.display for f in listed([archive])] == [f"{archive}!inner/path.txt"]


def test_unsafe_members_are_refused_and_nothing_is_written_outside(tmp_path, monkeypatch):
    work = tmp_path / "a" / "b" / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    link = zipfile.ZipInfo("link.txt")
    link.external_attr = 0o120777 << 16  # a symbolic link to /etc/passwd
    buf = zip_bytes({"../../evil.txt": "evil", "/tmp/abs-evil.txt": "evil", "C:/win-evil.txt": "evil",
                     "ok/../../../dotdot-evil.txt": "evil", "..\\back-evil.txt": "evil", "good.txt": BIASED})
    path = write(tmp_path / "in" / "bad.zip", buf)
    with zipfile.ZipFile(path, "a") as z:
        z.writestr(link, "/etc/passwd")
    before = snapshot(tmp_path)
    with open_inputs([path], workdir=work) as files:
        got = list(files)
        during = snapshot(tmp_path)
    errors = {f.display: f.error for f in got if f.error}
    assert errors == {
        f"{path}!../../evil.txt": "refused: unsafe archive member ('..' in its path); not extracted",
        f"{path}!/tmp/abs-evil.txt": "refused: unsafe archive member (an absolute path); not extracted",
        f"{path}!C:/win-evil.txt": "refused: unsafe archive member (a drive letter); not extracted",
        f"{path}!ok/../../../dotdot-evil.txt": "refused: unsafe archive member ('..' in its path); not extracted",
        f"{path}!../back-evil.txt": "refused: unsafe archive member ('..' in its path); not extracted",
        f"{path}!link.txt": "refused: unsafe archive member (a symbolic link); not extracted",
    }
    assert [f.display for f in got if not f.error] == [f"{path}!good.txt"]
    # while open: only the temporary folder in `work` is new; after: nothing is
    new = during - before
    temp = [n for n in new if "/" not in n.removeprefix("a/b/work/")]
    assert len(temp) == 1 and temp[0].startswith("a/b/work/bias-review-inputs-")
    assert all(n.startswith(temp[0]) for n in new), new
    assert snapshot(tmp_path) == before
    assert not Path("/tmp/abs-evil.txt").exists() and not Path("C:/win-evil.txt").exists()
    assert not list(Path(tmp_path.anchor).glob("*-evil.txt"))


def test_a_zip_bomb_member_is_refused_before_it_is_inflated(tmp_path):
    bomb = write(tmp_path / "bomb.zip", zip_bytes({"huge.txt": b"a" * (30 * 1024 * 1024), "fine.txt": BIASED}))
    assert bomb.stat().st_size < 200_000
    got = listed([bomb], workdir=tmp_path)
    assert got[0].display == f"{bomb}!huge.txt"
    assert got[0].error.startswith("archive member expands to 30.0 MB from ")
    assert got[0].error.endswith("over 200:1; possible zip bomb)")
    assert got[0].path == bomb  # never taken out
    assert [(f.display, f.error) for f in got[1:]] == [(f"{bomb}!fine.txt", None)]


def test_a_corrupt_archive_is_its_own_error_and_the_rest_go_on(tmp_path):
    write(tmp_path / "d" / "a-broken.zip", b"PK\x03\x04 this is not a zip")
    write(tmp_path / "d" / "b.txt", BIASED)
    got = listed([tmp_path / "d"])
    assert got[0].display == "a-broken.zip" and got[0].error.startswith("corrupt or unreadable ZIP archive (")
    assert (got[1].display, got[1].error) == ("b.txt", None)


def test_a_corrupt_member_is_its_own_error(tmp_path):
    data = bytearray(zip_bytes({"a.txt": BIASED * 50, "b.txt": BIASED}, compression=zipfile.ZIP_STORED))
    at = data.find(BIASED.encode())
    data[at:at + 5] = b"XXXXX"  # a.txt no longer matches its CRC
    with open_inputs([write(tmp_path / "c.zip", bytes(data))], workdir=tmp_path) as files:
        got = list(files)
        kept = os.listdir(got[1].path.parent)
    assert got[0].error.startswith("corrupt archive member (Bad CRC-32")
    assert (got[1].display.endswith("!b.txt"), got[1].error) == (True, None)
    assert kept == [got[1].path.name]  # the broken member's partial copy is gone


# --------------------------------------------------------------------------- the temporary folder


def test_the_temporary_folder_is_removed_after_the_context(tmp_path):
    archive = write(tmp_path / "a.zip", zip_bytes({"x.txt": BIASED}))
    (tmp_path / "w").mkdir()
    with open_inputs([archive], workdir=tmp_path / "w") as files:
        member = next(files).path
        assert member.is_file() and member.parent.parent == tmp_path / "w"
    assert not member.exists() and not member.parent.exists()
    assert list((tmp_path / "w").iterdir()) == []


def test_the_temporary_folder_is_removed_on_an_exception(tmp_path):
    archive = write(tmp_path / "a.zip", zip_bytes({"x.txt": BIASED, "y.txt": BIASED}))
    with pytest.raises(RuntimeError, match="a worker failed"):
        with open_inputs([archive], workdir=tmp_path) as files:
            member = next(files).path  # the iterator is left half-way, the archive open
            assert member.is_file()
            raise RuntimeError("a worker failed")
    assert not member.parent.exists()
    assert not list(tmp_path.glob("bias-review-inputs-*"))
