"""Course, year and lecturer from a file's path: the defaults, a rules file, its errors, and the
courses a batch scan keeps in the store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from batch_builders import write_archive
from bias_review.batch import CourseConfigError, CourseOf, CourseRules
from bias_review.cli import app
from bias_review.store import courses, documents, open_store

RULES_TOML = r'''
[[rules]]
match = 're:^(\d{4})-\d{2}/Block (\w+)/'  # a literal string: backslashes as written
course = "Block {2}"
year = "{1}"

[[rules]]
match = "re:^misc/"
course = ""
year = "2019"

[[rules]]
match = "*/Renal/*"
lecturer = "Dr Diaz"
'''


@pytest.mark.parametrize("display, expected", [
    ("2024-25/Renal/Lecture 07 - CKD.pptx", CourseOf("Renal", 2024)),
    ("Renal/2023/week 1/notes.pdf", CourseOf("week 1", 2023)),
    ("archive/2022_2023/Cardio/ecg.docx", CourseOf("Cardio", 2022)),
    ("2024/intro.pdf", CourseOf(None, 2024)),       # a year folder is not a course
    ("Pharmacology/opioids.txt", CourseOf("Pharmacology", None)),
    ("loose.txt", CourseOf(None, None)),
    ("Room 2024B/slides.pptx", CourseOf("Room 2024B", None)),  # not a year: not the whole folder name
])
def test_default_course_is_the_folder_and_year_a_year_folder(display, expected):
    assert CourseRules().resolve(display) == expected


@pytest.mark.parametrize("display, expected", [
    ("2024-25/Block A/Lecture 1.pptx", CourseOf("Block A", 2024)),      # regex groups
    ("2023-24/Renal/ckd.pdf", CourseOf("Renal", 2023, "Dr Diaz")),      # glob: defaults + lecturer
    ("misc/Renal/old.pdf", CourseOf(None, 2019)),                        # first match wins; "" is none
    ("2023-24/Cardio/ecg.pdf", CourseOf("Cardio", 2023)),                # no rule: the defaults
])
def test_rules_file_sets_course_year_and_lecturer(tmp_path: Path, display, expected):
    path = tmp_path / "courses.toml"
    path.write_text(RULES_TOML, encoding="utf-8")
    assert CourseRules.load(path).resolve(display) == expected


@pytest.mark.parametrize("text, message", [
    ("[[rules]]\ncourse = 'x'\n", "rule 1: needs match"),
    ("[[rules]]\nmatch = '*'\nteacher = 'x'\n", "unknown field(s) teacher"),
    ("[[rules]]\nmatch = 're:(unclosed'\n", "rule 1: bad regex"),
    ("rules = 3\n", "expected only a list of [[rules]]"),
    ("[[rules]\n", "courses.toml"),
])
def test_a_bad_rules_file_is_one_clear_error(tmp_path: Path, text, message):
    path = tmp_path / "courses.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CourseConfigError, match=re.escape(message)):
        CourseRules.load(path)


@pytest.mark.parametrize("rule, message", [
    ("course = '{3}'", "no group {3}"),
    ("year = 'autumn'", "year 'autumn' is not YYYY or YYYY-YY"),
])
def test_a_rule_that_makes_nonsense_of_a_path_says_which_rule(tmp_path: Path, rule, message):
    path = tmp_path / "courses.toml"
    path.write_text(f"[[rules]]\nmatch = 're:^(\\d+)'\n{rule}\n", encoding="utf-8")
    with pytest.raises(CourseConfigError, match=r"rule 1 .*" + re.escape(message)):
        CourseRules.load(path).resolve("2024/x.pdf")


def test_a_batch_scan_keeps_courses_from_paths_and_from_a_config(tmp_path: Path):
    archive = tmp_path / "archive"
    write_archive(archive, 6, kinds=("txt",))
    runner = CliRunner()
    env = {"BIAS_REVIEW_DATA": str(tmp_path / "data")}
    url = f"sqlite:///{tmp_path / 'default.sqlite'}"
    assert runner.invoke(app, ["scan", str(archive), "--db", url, "--no-classifier", "--workers", "1"],
                         env=env).exit_code == 0
    with open_store(url, data=tmp_path / "data") as store:
        assert {(c.name, c.year) for c in courses(store)} == {
            (c, y) for c in ("Renal", "Cardio", "Pulm") for y in (2023, 2024)}
        by_id = {c.id: c for c in courses(store)}
        for d in documents(store):
            year_folder, course_folder, _ = d.source_path.split("/")
            assert (by_id[d.course_id].name, by_id[d.course_id].year) == (course_folder, int(year_folder[:4]))

    config = tmp_path / "courses.toml"
    config.write_text("[[rules]]\nmatch = 're:^(\\d{4})-\\d{2}/(\\w+)/'\ncourse = 'Block {2}'\nyear = '{1}'\n"
                      "lecturer = 'Dr {2}'\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'config.sqlite'}"
    res = runner.invoke(app, ["scan", str(archive), "--db", url, "--no-classifier", "--workers", "1",
                              "--courses", str(config)], env=env)
    assert res.exit_code == 0, res.output
    with open_store(url, data=tmp_path / "data") as store:
        assert ("Block Renal", 2023, "Dr Renal") in {(c.name, c.year, c.lecturer) for c in courses(store)}
        assert len(courses(store)) == 6

    bad = tmp_path / "bad.toml"
    bad.write_text("[[rules]]\nmatch = '*'\nyear = 'spring'\n", encoding="utf-8")
    res = runner.invoke(app, ["scan", str(archive), "--db", url, "--no-classifier", "--courses", str(bad)], env=env)
    assert res.exit_code == 2 and "year 'spring' is not YYYY or YYYY-YY" in res.output
