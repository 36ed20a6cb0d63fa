"""HTML report: one self-contained file, grouped by document and category.

Every piece of document text is escaped; the file loads nothing from anywhere.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from bias_review import __version__
from bias_review.results import ScanResult
from bias_review.findings import Category, Finding, Severity

CSS = """
:root{--high:#b42318;--medium:#b54708;--low:#175cd3;--info:#667085;--bg:#f8f9fb;--card:#fff;--ink:#1d2939}
*{box-sizing:border-box}body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--ink);background:var(--bg);margin:0}
header{background:#101828;color:#fff;padding:20px 32px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#d0d5dd}
main{max-width:1100px;margin:0 auto;padding:24px 32px}
.summary{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:24px}.stat{background:var(--card);border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px #1018280f;min-width:130px}
.stat b{display:block;font-size:22px}.doc{background:var(--card);border-radius:10px;box-shadow:0 1px 3px #1018281a;margin-bottom:24px;padding:16px 20px}
.doc h2{font-size:17px;margin:0 0 4px;word-break:break-all}.meta{color:#667085;font-size:13px}.error{color:var(--high);font-weight:600}
h3{font-size:15px;margin:18px 0 8px;border-bottom:1px solid #eaecf0;padding-bottom:4px}
.f{border-left:4px solid var(--low);padding:8px 12px;margin:10px 0;background:#fcfcfd;border-radius:0 6px 6px 0}
.f.high{border-color:var(--high)}.f.medium{border-color:var(--medium)}.f.low{border-color:var(--low)}.f.info{border-color:var(--info)}
.sev{display:inline-block;font-size:12px;font-weight:700;text-transform:uppercase;border-radius:4px;padding:0 6px;color:#fff;background:var(--low)}
.sev.high{background:var(--high)}.sev.medium{background:var(--medium)}.sev.info{background:var(--info)}
.loc{color:#475467;font-size:13px;margin-left:8px}.passage{margin:6px 0;font-size:15px}
mark{background:#fde68a;padding:0 2px;border-radius:2px}.why,.instead,.ref{margin:2px 0;font-size:14px}.instead{color:#027a48}
.ref{color:#475467}.det{color:#98a2b3;font-size:12px}details summary{cursor:pointer;color:#475467;font-size:13px}
"""


def _finding_html(f: Finding) -> str:
    sev = f.severity.value
    passage = "".join(f"<mark>{escape(t)}</mark>" if flagged else escape(t) for t, flagged in f.segments())
    parts = [
        f'<div class="f {sev}" id="f-{escape(f.id)}">',
        f'<span class="sev {sev}">{sev}</span><span class="loc">{escape(f.location.describe())}</span>',
        f'<div class="passage">{passage}</div>',
        f'<div class="why"><b>Why:</b> {escape(f.explanation)}</div>',
    ]
    if f.suggestion:
        parts.append(f'<div class="instead"><b>Instead:</b> {escape(f.suggestion)}</div>')
    if f.references:
        refs = "<br>".join(escape(r) for r in f.references)
        parts.append(f'<details><summary>References ({len(f.references)})</summary><div class="ref">{refs}</div></details>')
    parts.append(f'<div class="det">{escape(", ".join(f.detectors))} · score {f.score:.2f} · id {escape(f.id)}</div>')
    parts.append("</div>")
    return "".join(parts)


def render_html(result: ScanResult, *, min_severity: Severity = Severity.LOW) -> str:
    s = result.summary(min_severity)
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
        "<title>bias-review report</title>",
        f"<style>{CSS}</style></head><body>",
        "<header><h1>bias-review report</h1>",
        f"<p>{when} · bias-review {escape(__version__)} · lexicons {escape(result.lexicon_version)}"
        f"{' · model ' + escape(result.model_version) if result.model_version else ''}</p></header><main>",
        '<section class="summary">',
        f'<div class="stat"><b>{s["documents"]}</b>documents</div>',
        f'<div class="stat"><b>{s["findings"]}</b>findings</div>',
        f'<div class="stat"><b>{s["failed"]}</b>could not be read</div>',
    ]
    for cat, n in s["by_category"].items():
        out.append(f'<div class="stat"><b>{n}</b>{escape(cat)}</div>')
    out.append("</section>")
    for doc in result.documents:
        out.append('<section class="doc">')
        out.append(f"<h2>{escape(doc.path)}</h2>")
        if doc.error:
            out.append(f'<p class="error">Could not be read: {escape(doc.error)}</p></section>')
            continue
        shown = [f for f in doc.findings if f.severity.at_least(min_severity)]
        out.append(f'<div class="meta">{escape(doc.format or "")} · {doc.pages} page(s) · '
                   f'{len(shown)} finding(s) · sha256 {escape((doc.sha256 or "")[:12])}…</div>')
        for w in doc.warnings:
            out.append(f'<div class="meta">note: {escape(w)}</div>')
        if not shown:
            out.append('<p class="meta">Nothing flagged.</p>')
        for cat in Category:
            group = [f for f in shown if f.category is cat]
            if not group:
                continue
            group.sort(key=lambda f: -f.severity.rank)
            out.append(f"<h3>{escape(cat.value)} ({len(group)})</h3>")
            out.extend(_finding_html(f) for f in group)
        out.append("</section>")
    out.append("</main></body></html>\n")
    return "".join(out)
