"""The command line: formats, the JSON contract, exit codes, options and bad input."""

from __future__ import annotations

import csv
import inspect
import io
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bias_review.cli import app

runner = CliRunner()

FLAGGED = (
    "For African American patients, multiply the MDRD eGFR by 1.212.\n\n"
    "The patient is a known drug-seeker and was noncompliant with follow-up.\n\n"
    "Structural racism, not biology, drives the gap in kidney failure rates.\n"
)
HOSTILE = "The <script>alert('x')</script> patient was noncompliant & hostile.\n"


@pytest.fixture()
def docs(tmp_path: Path) -> Path:
    d = tmp_path / "lectures"
    d.mkdir()
    (d / "renal.md").write_text(FLAGGED, encoding="utf-8")
    (d / "clean.txt").write_text("Calculate eGFR with the CKD-EPI 2021 equation.\n", encoding="utf-8")
    (d / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage that is not a pdf")
    (d / "skip-me.txt").write_text(HOSTILE, encoding="utf-8")
    return d


def run(*args: str):
    return runner.invoke(app, ["scan", *args, "--no-classifier"], catch_exceptions=False)


def test_json_follows_the_contract(docs):
    res = run(str(docs), "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert set(data) == {"tool", "documents", "summary"}
    assert set(data["tool"]) == {"name", "version", "lexicon_version", "model_version"}
    by_path = {Path(d["path"]).name: d for d in data["documents"]}
    assert by_path["broken.pdf"]["error"] and by_path["broken.pdf"]["findings"] == []
    assert by_path["clean.txt"]["findings"] == []
    renal = by_path["renal.md"]
    assert renal["format"] == "markdown" and len(renal["sha256"]) == 64
    cats = {f["category"] for f in renal["findings"]}
    assert {"race-correction", "stigmatizing-language"} <= cats
    for f in renal["findings"]:
        assert set(f) == {"id", "category", "severity", "text", "passage", "start", "end", "location",
                          "detectors", "score", "explanation", "suggestion", "references", "spans"}
        assert f["passage"][f["start"]:f["end"]] == f["text"]
        assert f["spans"][0] == {"start": f["start"], "end": f["end"], "text": f["text"]}
        assert all(f["passage"][s["start"]:s["end"]] == s["text"] for s in f["spans"])
        assert "line" in f["location"]
        assert f["severity"] in {"high", "medium", "low"}
    assert data["summary"]["failed"] == 1 and data["summary"]["documents"] == 4
    assert data["summary"]["findings"] == sum(len(d["findings"]) for d in data["documents"])


def test_ids_are_stable_across_runs(docs):
    a = json.loads(run(str(docs), "--format", "json").stdout)
    b = json.loads(run(str(docs), "--format", "json").stdout)
    ids = lambda d: [f["id"] for doc in d["documents"] for f in doc["findings"]]
    assert ids(a) == ids(b) and len(set(ids(a))) == len(ids(a))


def test_text_report_shows_place_reason_and_suggestion(docs):
    res = run(str(docs / "renal.md"))
    assert res.exit_code == 0
    assert "renal.md" in res.stdout and "line 1" in res.stdout
    assert "why:" in res.stdout and "instead:" in res.stdout


def test_html_is_escaped_and_self_contained(docs, tmp_path):
    out = tmp_path / "r.html"
    res = run(str(docs), "--format", "html", "--out", str(out))
    assert res.exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<mark>" in html and "http" not in html.split("<main>")[0].replace("http-equiv", "")
    assert "broken.pdf" in html and "Could not be read" in html


def test_csv_has_a_row_per_finding_and_neutralises_formulas(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("=HYPERLINK(1) The patient was noncompliant.\n", encoding="utf-8")
    res = run(str(f), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert rows and all(not r["passage"].startswith("=") for r in rows)
    assert rows[0]["category"] == "stigmatizing-language"


def test_fail_on_and_min_severity(docs):
    assert run(str(docs), "--fail-on", "high").exit_code == 1
    assert run(str(docs / "clean.txt"), "--fail-on", "low").exit_code == 0
    res = run(str(docs / "renal.md"), "--format", "json", "--min-severity", "high")
    sevs = {f["severity"] for d in json.loads(res.stdout)["documents"] for f in d["findings"]}
    assert sevs == {"high"}


def test_exclude_and_exit_2_when_nothing_readable(docs, tmp_path):
    res = run(str(docs), "--format", "json", "--exclude", "skip-*", "--exclude", "*.pdf")
    names = {Path(d["path"]).name for d in json.loads(res.stdout)["documents"]}
    assert names == {"renal.md", "clean.txt"}
    only_bad = tmp_path / "bad.pdf"
    only_bad.write_bytes(b"")
    res = run(str(only_bad))
    assert res.exit_code == 2 and "empty file" in res.output
    assert run(str(tmp_path / "nope")).exit_code == 2
    assert run(str(docs), "--format", "xml").exit_code == 2
    assert run(str(docs), "--min-severity", "urgent").exit_code == 2


def test_school_lexicons_add_and_replace(docs, tmp_path):
    lex = tmp_path / "school"
    lex.mkdir()
    (lex / "local.yml").write_text(
        "category: outdated-term\nentries:\n  - id: school-kidney-term\n    patterns: [kidney failure rates]\n"
        "    explanation: Our school prefers a different phrase for this measure.\n"
        "    suggestion: rates of kidney failure\n    references: [\"Curriculum committee 2026\"]\n",
        encoding="utf-8")
    added = json.loads(run(str(docs / "renal.md"), "--format", "json", "--lexicons", str(lex),
                           "--min-severity", "info").stdout)
    rules = {d for doc in added["documents"] for f in doc["findings"] for d in f["detectors"]}
    assert "lexicon:school-kidney-term" in rules and len(rules) > 1
    replaced = json.loads(run(str(docs / "renal.md"), "--format", "json", "--lexicons", str(lex),
                              "--replace-lexicons", "--min-severity", "info").stdout)
    rules = {d for doc in replaced["documents"] for f in doc["findings"] for d in f["detectors"]}
    assert rules <= {"lexicon:school-kidney-term", "vignette"}


def test_broken_school_lexicon_is_one_clear_error(docs, tmp_path):
    lex = tmp_path / "bad"
    lex.mkdir()
    (lex / "x.yml").write_text("category: stereotype\nentries:\n  - id: Bad Id\n", encoding="utf-8")
    res = run(str(docs), "--lexicons", str(lex))
    assert res.exit_code == 2
    assert "x.yml" in res.output and "Traceback" not in res.output


def test_lexicon_check_command(tmp_path):
    res = runner.invoke(app, ["lexicon", "check"])
    assert res.exit_code == 0 and res.stdout.startswith("ok:")
    lex = tmp_path / "bad"
    lex.mkdir()
    (lex / "x.yml").write_text("category: stereotype\nentries:\n  - id: x\n    patterns: [a]\n", encoding="utf-8")
    res = runner.invoke(app, ["lexicon", "check", "--lexicons", str(lex)])
    assert res.exit_code == 1 and "field 'explanation'" in res.output


def test_every_command_has_help_and_is_in_the_readme():
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for cmd in (["scan"], ["lexicon", "check"], ["lexicon", "list"], ["train"], ["evaluate"]):
        res = runner.invoke(app, [*cmd, "--help"])
        assert res.exit_code == 0 and len(res.stdout) > 50, cmd
        assert "bias-review " + " ".join(cmd) in readme, cmd


def test_scan_into_the_review_store_and_rescan_keeps_one_copy(tmp_path: Path):
    from bias_review.store import courses, documents, open_store, queue

    url = f"sqlite:///{tmp_path / 'review.sqlite'}"
    examples = Path(__file__).resolve().parents[1] / "examples"
    runs = []
    for _ in range(2):
        res = runner.invoke(app, ["scan", str(examples), "--db", url, "--course", "Renal 101",
                                  "--format", "json", "--no-classifier", "--workers", "1"])
        assert res.exit_code == 0, res.output
        runs.append(json.loads(res.stdout))
    reported = runs[0]
    store = open_store(url, data=tmp_path)
    assert [c.name for c in courses(store)] == ["Renal 101"]
    assert sorted(d.name for d in documents(store)) == sorted(Path(d["path"]).name for d in reported["documents"])
    flags = [q for q in queue(store) if q.severity != "info"]
    assert len(flags) == reported["summary"]["findings"]  # the second scan added no copies
    assert runs[1]["documents"] == [] and f"{len(reported['documents'])} unchanged, skipped" in res.stderr
    assert not list(tmp_path.glob("*.part"))


def test_course_without_db_is_refused():
    res = runner.invoke(app, ["scan", ".", "--course", "x"])
    assert res.exit_code == 2 and "--course goes with --db" in res.output


def test_the_console_script_exits_with_its_documented_status_codes(tmp_path: Path):
    """Through a real process, not CliRunner: nothing to scan is 2, --fail-on hit is 1, a clean
    scan 0 (Typer may hand exit codes back instead of raising; they must still reach the shell)."""
    import subprocess
    import sys

    biased = tmp_path / "lecture.txt"
    biased.write_text("Multiply the eGFR by 1.159 for Black patients.\n", encoding="utf-8")

    def status(*args: str) -> tuple[int, str]:
        done = subprocess.run([sys.executable, "-m", "bias_review.cli", *args], capture_output=True, text=True,
                              timeout=120)
        return done.returncode, done.stderr

    code, err = status("scan", str(tmp_path / "missing"))
    assert code == 2 and "no such file or directory" in err
    assert status("scan", str(biased), "--no-classifier", "--fail-on", "high")[0] == 1
    assert status("scan", str(biased), "--no-classifier")[0] == 0
    assert status("scan", str(biased), "--format", "yaml")[0] == 2
    # usage errors (Typer's own Click raises them) are usage, status 2, never "internal error"
    for args, said in ((("nosuch",), "No such command 'nosuch'"),
                       (("scan", str(biased), "--no-such-option"), "No such option: --no-such-option"),
                       (("scan", str(biased), "--timeout", "soon"), "Invalid value for '--timeout'")):
        code, err = status(*args)
        assert code == 2 and said in err and "Usage: bias-review" in err and "internal error" not in err


@pytest.mark.parametrize("terminal", [False, True])
def test_a_report_on_standard_output_passes_a_progress_bar_only_on_a_terminal(monkeypatch, terminal):
    """While the bar is drawn, rich puts a stand-in on `sys.stdout` that prints on the bar's
    terminal: a report redirected to a file must not go there."""
    from bias_review.cli import _Stdout

    class Real(io.StringIO):
        def isatty(self):
            return terminal

    class BarStandIn(io.StringIO):
        rich_proxied_file = Real()

    stand_in = BarStandIn()
    monkeypatch.setattr(sys, "stdout", stand_in)
    out = _Stdout()
    out.write("doc.txt: 1 finding(s)\n")
    out.flush()
    shown, redirected = stand_in.getvalue(), stand_in.rich_proxied_file.getvalue()
    assert (shown, redirected) == (("doc.txt: 1 finding(s)\n", "") if terminal else ("", "doc.txt: 1 finding(s)\n"))
    assert out.isatty() is terminal


def test_the_console_script_runs_exit_handlers_and_writes_everything_before_it_leaves(tmp_path: Path):
    """`run()` leaves the process without tearing the interpreter down; what the process wrote
    and the exit handlers registered must not be lost to that."""
    import subprocess
    import sys

    lecture = tmp_path / "lecture.txt"
    lecture.write_text("Multiply the eGFR by 1.159 for Black patients.\n" * 400, encoding="utf-8")
    marker = tmp_path / "handler-ran"
    code = ("import atexit, sys\n"
            f"atexit.register(lambda: open({str(marker)!r}, 'w').write('ran'))\n"
            "from bias_review.cli import run\n"
            f"sys.argv[1:] = ['scan', {str(lecture)!r}, '--no-classifier', '--format', 'json', '--fail-on', 'high']\n"
            "run()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1  # --fail-on high, met
    report = json.loads(done.stdout)  # all of it, flushed
    assert len(report["documents"][0]["findings"]) == 400
    assert marker.read_text() == "ran"


def test_the_progress_bar_counts_findings_at_the_reports_floor():
    """The bar shows the findings the report will show: with --min-severity high, not the low
    ones (and never `info`)."""
    from bias_review.findings import Category, Finding, Location, Severity
    from bias_review.progress import scan_progress
    from bias_review.results import DocumentResult

    def finding(i: int, severity: Severity) -> Finding:
        return Finding(id=f"f{i}", category=Category.STEREOTYPE, severity=severity, text="x", passage="x",
                       start=0, end=1, location=Location(), detectors=["lexicon:x"], score=0.9,
                       explanation="why", suggestion=None, references=[])

    doc = DocumentResult(path="a.txt", format="text", sha256="0" * 64, pages=1,
                         findings=[finding(1, Severity.HIGH), finding(2, Severity.LOW), finding(3, Severity.INFO)])
    shown = {}
    for floor in (Severity.LOW, Severity.HIGH):
        with scan_progress(1, enabled=True, min_severity=floor) as progress:
            progress.update(doc)
            shown[floor] = progress._progress.tasks[0].fields["findings"]
    assert shown == {Severity.LOW: 2, Severity.HIGH: 1}


def test_every_command_has_a_one_line_summary():
    """`bias-review --help` lists each command by its help's first paragraph, line breaks and
    all: a summary cut over two lines showed as a broken sentence."""
    import typer.main

    def commands(group):
        for name, command in group.commands.items():
            yield name, command
            if hasattr(command, "commands"):
                yield from commands(command)

    root = typer.main.get_command(app)
    summaries = {name: inspect.cleandoc(command.help or "").split("\n\n")[0] for name, command in commands(root)}
    assert {"scan", "evaluate", "report", "serve", "annotations"} <= set(summaries)
    assert {name: s for name, s in summaries.items() if "\n" in s or not s} == {}
