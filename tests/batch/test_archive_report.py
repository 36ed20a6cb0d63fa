"""The archive report: a self-contained HTML page whose numbers are the JSON report's, the CSV,
the per-course CSV and DOCX files, decisions counted, and the `report` command."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape
from pathlib import Path

import docx
import pytest
from typer.testing import CliRunner

from batch_builders import write_archive
from bias_review.batch import BatchOptions, EngineSpec, open_archive, run_batch
from bias_review.batch.archive import load_archive
from bias_review.batch.archive_report import archive_csv, render_archive, write_per_course
from bias_review.batch.charts import dashboard_charts
from bias_review.batch.numbers import flatten
from bias_review.cli import app
from bias_review.store import decide, open_store, queue

HOSTILE = "<b>x<b> & 'y'.txt"


@pytest.fixture
def reviewed(tmp_path: Path):
    """A scanned archive (one hostile file name, one unreadable file) with three decisions:
    one flag accepted, one dismissed, one recategorised."""
    root = tmp_path / "archive"
    write_archive(root, 6)
    (root / "2024-25" / "Renal" / HOSTILE).write_text("The <script>alert('x')</script> patient was noncompliant.\n",
                                                      encoding="utf-8")
    (root / "2023-24" / "Cardio" / "broken.pdf").write_bytes(b"%PDF-1.7\n not a pdf")
    store = open_store(f"sqlite:///{tmp_path / 's.sqlite'}", data=tmp_path / "data")
    with open_archive([root]) as files:
        run_batch(files, EngineSpec(classifier=False), store=store, options=BatchOptions(workers=2, progress=False))
    flags = [q for q in queue(store) if q.severity != "info"]
    decide(store, flags[0], "ana", "accepted")
    decide(store, flags[1], "ana", "dismissed", reason="race-conscious")
    decide(store, flags[2], "ben", "recategorised", new_category="stereotype")
    yield store, flags
    store.close()


def _html_numbers(html: str) -> dict:
    pairs = re.findall(r'data-number="([^"]*)" data-value="([^"]*)"', html)
    return {tuple(json.loads(unescape(k))): json.loads(unescape(v)) for k, v in pairs}


def test_html_is_self_contained_escaped_and_shows_the_json_numbers(reviewed):
    store, _ = reviewed
    archive = load_archive(store)
    html = render_archive(archive, "html")
    numbers = json.loads(render_archive(archive, "json"))["numbers"]

    assert "http" not in html and "//" not in html.replace("<!DOCTYPE", "")
    assert not re.search(r"\bsrc\s*=", html) and "@import" not in html and "url(" not in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    ids = set(re.findall(r'id="([^"]*)"', html))
    assert hrefs and all(h.startswith("#") and h[1:] in ids for h in hrefs)
    assert "<script" not in html and "&lt;script&gt;" in html and "&lt;b&gt;x&lt;b&gt; &amp; &#x27;y&#x27;" in html
    assert html.count("<svg") == 3

    assert _html_numbers(html) == dict(flatten(numbers))
    assert numbers["flags"] > 0 and numbers["by_category"]["stereotype"] >= 1


def test_numbers_count_decisions_and_leave_dismissed_flags_out(reviewed):
    store, flags = reviewed
    n = json.loads(render_archive(load_archive(store), "json"))["numbers"]
    assert n["decisions"] == {"open": len(flags) - 3, "accepted": 1, "dismissed": 1, "changed": 1}
    assert n["flags"] == len(flags) - 1
    assert sum(n["by_course"].values()) == sum(n["by_year"].values()) == sum(n["by_category"].values()) == n["flags"]
    assert (n["documents"], n["failed"]) == (8, 1)
    assert n["share_with_high"] == round(n["documents_with_high"] / 8, 4) and n["documents_with_high"] > 0
    assert n["top_lexicon_entries"][0]["fired"] >= n["top_lexicon_entries"][-1]["fired"] > 0
    assert [c.key for c in dashboard_charts(store)] == ["by_category", "by_course", "by_year"]


def test_json_follows_the_scan_contract_with_course_year_status_and_decisions(reviewed):
    store, flags = reviewed
    report = json.loads(render_archive(load_archive(store), "json"))
    assert set(report["tool"]) == {"name", "version", "lexicon_version", "model_version"}
    docs = {d["path"]: d for d in report["documents"]}
    renal = docs["2024-25/Renal/" + HOSTILE]
    assert (renal["course"], renal["year"]) == ("Renal", 2024) and renal["findings"]
    assert docs["2023-24/Cardio/broken.pdf"]["error"] and not docs["2023-24/Cardio/broken.pdf"]["findings"]
    decided = {f["id"]: f for d in report["documents"] for f in d["findings"]}[flags[1].stable_id]
    assert decided["status"] == "dismissed" and [x["reason"] for x in decided["decisions"]] == ["race-conscious"]
    assert report["summary"]["findings"] == report["numbers"]["flags"]


def test_csv_has_a_row_per_flag_with_course_year_and_status(reviewed):
    store, flags = reviewed
    rows = list(csv.DictReader(io.StringIO(archive_csv(load_archive(store)))))
    flag_rows = [r for r in rows if r["id"]]
    assert len(flag_rows) == len(flags)
    assert {r["status"] for r in flag_rows} == {"open", "accepted", "dismissed", "changed"}
    assert all(r["course"] and r["year"] for r in flag_rows)
    assert [r["path"] for r in rows if r["error"]] == ["2023-24/Cardio/broken.pdf"]


def test_per_course_csv_and_docx_are_written_and_open(reviewed, tmp_path: Path):
    store, flags = reviewed
    files = write_per_course(load_archive(store), tmp_path / "courses")
    names = sorted(p.name for p in files)
    assert names == sorted(f"{c}-{y}.{ext}" for c in ("Renal", "Cardio", "Pulm") for y in (2023, 2024)
                           for ext in ("csv", "docx"))
    texts, csv_ids = {}, set()
    for path in files:
        if path.suffix == ".csv":
            rows = list(csv.DictReader(path.open(encoding="utf-8")))
            assert len({(r["course"], r["year"]) for r in rows}) == 1
            csv_ids |= {r["id"] for r in rows}
            continue
        report = docx.Document(str(path))
        texts[path.stem] = "\n".join(p.text for p in report.paragraphs)
        course, year = path.stem.rsplit("-", 1)
        assert report.paragraphs[0].text == f"bias-review: {course} {year}"
    everything = "\n".join(texts.values())
    accepted, dismissed = flags[0], flags[1]
    assert f"Finding id: {accepted.stable_id}" in everything and "Review: accepted (1 decision(s))" in everything
    assert dismissed.stable_id not in everything and dismissed.stable_id in csv_ids  # the director's copy leaves it out
    assert "This file could not be read" in texts["Cardio-2023"]
    renal = docx.Document(str(tmp_path / "courses" / "Renal-2024.docx"))
    assert any(HOSTILE in p.text for p in renal.paragraphs)


def test_report_command_writes_the_report_and_per_course_files(reviewed, tmp_path: Path):
    store, _ = reviewed
    out, per = tmp_path / "archive.json", tmp_path / "per-course"
    res = CliRunner().invoke(app, ["report", "--db", store.url, "--format", "json", "--out", str(out),
                                   "--per-course", str(per)], env={"BIAS_REVIEW_DATA": str(store.data_dir)})
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text(encoding="utf-8"))["numbers"]["documents"] == 8
    assert len(list(per.glob("*.docx"))) == 6
    res = CliRunner().invoke(app, ["report", "--db", store.url, "--format", "pdf"])
    assert res.exit_code == 2 and "html, json, csv" in res.output
