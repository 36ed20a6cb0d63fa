"""The archive report as one self-contained HTML page: the numbers, charts drawn as inline
SVG, the top lexicon entries, decisions so far, a table per course linking to each flagged
passage (in-page anchors), and the passages. It loads and links nothing outside itself, and
every piece of text is escaped. Citations are left to the JSON and CSV forms (they hold URLs)."""

from __future__ import annotations

from html import escape
from typing import Any

from bias_review.batch.archive import Archive
from bias_review.batch.charts import archive_charts, number_attrs
from bias_review.batch.numbers import STATUSES, archive_numbers, course_label, year_label
from bias_review.findings import passage_segments
from bias_review.report.docx_common import flag_spans, location_label
from bias_review.report.html_report import CSS

EXCERPT = 90
_EXTRA_CSS = """
h2{font-size:19px;margin:28px 0 10px}.charts{display:flex;flex-wrap:wrap;gap:16px}
figure{background:var(--card);border-radius:10px;box-shadow:0 1px 3px #1018281a;margin:0;padding:12px 16px}
figcaption{font-weight:600;margin-bottom:6px}table{border-collapse:collapse;width:100%;background:var(--card);font-size:14px}
th,td{border-bottom:1px solid #eaecf0;padding:6px 8px;text-align:left;vertical-align:top}th{background:#f2f4f7}
td.n{text-align:right;font-variant-numeric:tabular-nums}.course{margin-bottom:22px}.status{font-size:12px;color:#475467}
"""


def render_archive_html(archive: Archive, numbers: dict[str, Any] | None = None) -> str:
    """The whole page."""
    n = numbers if numbers is not None else archive_numbers(archive)
    tool = archive.tool
    versions = " · ".join(f"{label} {escape(str(tool[k]))}" for label, k in
                          (("lexicons", "lexicon_version"), ("model", "model_version")) if tool.get(k))
    out = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>bias-review archive report</title><style>{CSS}{_EXTRA_CSS}</style></head><body>",
        f"<header><h1>Archive report</h1><p>{escape(archive.generated)} · bias-review "
        f"{escape(str(tool.get('version')))}{' · ' + versions if versions else ''}</p></header><main>",
        _cards([("documents", "documents"), ("failed", "could not be read"), ("flags", "flags"),
                ("flagged_documents", "documents with a flag"), ("documents_with_high", "documents with a high flag")], n),
        _share(n),
        '<h2>Flags</h2><div class="charts">',
        *(f"<figure><figcaption>{escape(c.title)}</figcaption>{c.svg}</figure>" for c in archive_charts(n)),
        "</div>",
        "<h2>Flags per severity</h2>", _cards([(("by_severity", s), s) for s in n["by_severity"]], n),
        "<h2>Decisions so far</h2>", _cards([(("decisions", s), s) for s in STATUSES], n),
        "<h2>Top lexicon entries</h2>", _entries(n),
        "<h2>Courses</h2>", *_course_tables(archive),
        "<h2>Flagged passages</h2>", *_passages(archive),
        *_failed(archive),
        "</main></body></html>\n",
    ]
    return "".join(out)


def _value(numbers: dict[str, Any], key: str | tuple) -> tuple[tuple, Any]:
    path = key if isinstance(key, tuple) else (key,)
    value: Any = numbers
    for part in path:
        value = value[part]
    return path, value


def _cards(items: list[tuple[str | tuple, str]], numbers: dict[str, Any]) -> str:
    cells = []
    for key, label in items:
        path, value = _value(numbers, key)
        cells.append(f'<div class="stat"><b{number_attrs(path, value)}>{value}</b>{escape(label)}</div>')
    return f'<section class="summary">{"".join(cells)}</section>'


def _share(numbers: dict[str, Any]) -> str:
    share = numbers["share_with_high"]
    return (f'<p>Share of documents with a <b>high</b> flag: '
            f'<b{number_attrs(("share_with_high",), share)}>{share:.1%}</b></p>')


def _entries(numbers: dict[str, Any]) -> str:
    rows = numbers["top_lexicon_entries"]
    if not rows:
        return "<p class=\"meta\">No lexicon entry has fired yet.</p>"
    head = "".join(f"<th>{c}</th>" for c in ("entry", "fired", "accepted", "dismissed", "changed"))
    body = []
    for i, row in enumerate(rows):
        cells = [f"<td{number_attrs(('top_lexicon_entries', i, 'entry'), row['entry'])}>{escape(row['entry'])}</td>"]
        cells += [f'<td class="n"{number_attrs(("top_lexicon_entries", i, k), row[k])}>{row[k]}</td>'
                  for k in ("fired", "accepted", "dismissed", "changed")]
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def anchor(document: dict[str, Any], finding: dict[str, Any] | None = None) -> str:
    """The in-page id of a document's section, or of one of its flags."""
    base = f"d{document['document_id']}"
    return base if finding is None else f"{base}-{finding['id']}"


def _course_tables(archive: Archive) -> list[str]:
    out = []
    for course, year in archive.courses():
        docs = [d for d in archive.documents if (d["course"], d["year"]) == (course, year)]
        lecturer = next((d["lecturer"] for d in docs if d["lecturer"]), None)
        title = " · ".join(escape(x) for x in (course_label(docs[0]), year_label(docs[0]), lecturer) if x)
        rows = [
            f"<tr><td>{escape(d['path'])}</td><td>{escape(location_label(f.get('location')))}</td>"
            f"<td>{escape(f['category'])}</td><td>{escape(f['severity'])}</td><td>{escape(f['status'])}</td>"
            f'<td><a href="#{escape(anchor(d, f), quote=True)}">{escape(_excerpt(f["passage"]))}</a></td></tr>'
            for d in docs for f in d["findings"]]
        flagged = sum(1 for d in docs if d["findings"])
        out.append(f'<section class="course"><h3>{title}</h3><p class="meta">{len(docs)} document(s), '
                   f"{flagged} with flags</p>")
        if rows:
            out.append("<table><tr><th>document</th><th>where</th><th>category</th><th>severity</th>"
                       f"<th>status</th><th>passage</th></tr>{''.join(rows)}</table>")
        out.append("</section>")
    return out


def _passages(archive: Archive) -> list[str]:
    out = []
    for d in archive.documents:
        if not d["findings"]:
            continue
        out.append(f'<section class="doc" id="{escape(anchor(d), quote=True)}"><h2>{escape(d["path"])}</h2>'
                   f'<div class="meta">{escape(course_label(d))} · {escape(year_label(d))}</div>')
        for f in d["findings"]:
            sev = escape(f["severity"], quote=True)
            marked = "".join(f"<mark>{escape(t)}</mark>" if flagged else escape(t)
                             for t, flagged in passage_segments(f["passage"], flag_spans(f)))
            out.append(
                f'<div class="f {sev}" id="{escape(anchor(d, f), quote=True)}"><span class="sev {sev}">{sev}</span>'
                f'<span class="loc">{escape(location_label(f.get("location")))} · {escape(f["category"])}</span> '
                f'<span class="status">{escape(f["status"])}, {len(f["decisions"])} decision(s)</span>'
                f'<div class="passage">{marked}</div>'
                f'<div class="why"><b>Why:</b> {escape(f.get("explanation") or "")}</div>'
                + (f'<div class="instead"><b>Instead:</b> {escape(f["suggestion"])}</div>' if f.get("suggestion") else "")
                + "</div>")
        out.append("</section>")
    return out


def _failed(archive: Archive) -> list[str]:
    failed = [d for d in archive.documents if d["error"]]
    if not failed:
        return []
    rows = "".join(f"<tr><td>{escape(d['path'])}</td><td>{escape(d['error'])}</td></tr>" for d in failed)
    return ["<h2>Could not be read</h2>", f"<table><tr><th>document</th><th>reason</th></tr>{rows}</table>"]


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"
