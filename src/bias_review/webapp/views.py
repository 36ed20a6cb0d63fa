"""View models: the store's records turned into what the pages show, as plain data.

Nothing here imports Streamlit, so tests call these functions directly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from bias_review.findings import Category, Severity
from bias_review.report.docx_common import flag_spans, location_label
from bias_review.store.models import REASONS
from bias_review.store.records import Agreement, DecisionInfo, LexiconStat, ModelInfo, QueueItem
from bias_review.webapp import markup

CATEGORIES = tuple(c.value for c in Category)
SEVERITIES = tuple(s.value for s in sorted(Severity, key=lambda s: -s.rank))  # high .. info
FLAG_SEVERITIES = tuple(s for s in SEVERITIES if s != Severity.INFO.value)
STATUSES = ("open", "accepted", "dismissed", "changed")
REASON_LABELS = {reason: reason.replace("-", " ") for reason in REASONS}  # wrong-span -> wrong span

# Highlight colours, one per category: light enough for dark text on top, far enough apart to tell.
CATEGORY_COLOURS: dict[str, str] = {
    "race-correction": "#fda29b",
    "race-as-biology": "#fec84b",
    "race-in-vignette": "#a6f4c5",
    "stereotype": "#d9b8ff",
    "outdated-term": "#b2ddff",
    "stigmatizing-language": "#fdc3e5",
}
SEVERITY_COLOURS: dict[str, str] = {"high": "#b42318", "medium": "#b54708", "low": "#175cd3", "info": "#667085"}
_FALLBACK = "#e4e7ec"
DETAIL = {"confusion", "per_category"}  # metric tables left out of the model tables


def category_colour(category: str) -> str:
    return CATEGORY_COLOURS.get(category, _FALLBACK)


def severity_colour(severity: str) -> str:
    return SEVERITY_COLOURS.get(severity, SEVERITY_COLOURS["info"])


@dataclass(frozen=True)
class FlagView:
    """One flag ready to draw: its highlighted passage is safe HTML."""

    item: QueueItem
    location: str
    passage_html: str

    @property
    def is_info(self) -> bool:
        return self.item.severity == Severity.INFO.value


@dataclass(frozen=True)
class LocationGroup:
    """Flags under one location label (page, slide and notes, table cell, header, …)."""

    label: str
    flags: tuple[FlagView, ...]


def flag_view(item: QueueItem) -> FlagView:
    spans = flag_spans({"passage": item.passage, "spans": item.spans, "start": item.start, "end": item.end})
    return FlagView(item, location_label(item.location),
                    markup.highlighted(item.passage, spans, category_colour(item.category)))


def shown_flags(items: Iterable[QueueItem], *, include_info: bool = False) -> list[QueueItem]:
    """Flags still present in the document; `info` mentions only when asked."""
    return [i for i in items if not i.vanished and (include_info or i.severity != Severity.INFO.value)]


def group_by_location(items: Sequence[QueueItem], *, include_info: bool = False) -> list[LocationGroup]:
    """Flags in reading order (the queue's order), grouped under their location label."""
    groups: dict[str, list[FlagView]] = {}
    for item in shown_flags(items, include_info=include_info):
        view = flag_view(item)
        groups.setdefault(view.location, []).append(view)
    return [LocationGroup(label, tuple(flags)) for label, flags in groups.items()]


def count_rows(items: Iterable[QueueItem]) -> list[dict[str, Any]]:
    """One row per category with a count per severity and a total: flags present, not `info`,
    not dismissed (their current category and severity). Empty when there are none."""
    live = [i for i in shown_flags(items) if i.status != "dismissed"]
    tally = Counter((i.category, i.severity) for i in live)
    rows = []
    for category in CATEGORIES:
        row = {"category": category, **{s: tally[(category, s)] for s in FLAG_SEVERITIES}}
        row["total"] = sum(row[s] for s in FLAG_SEVERITIES)
        if row["total"]:
            rows.append(row)
    return rows


def queue_rows(items: Iterable[QueueItem]) -> list[dict[str, Any]]:
    """The review queue as a table."""
    return [{
        "document": i.document_name, "location": location_label(i.location), "category": i.category,
        "severity": i.severity, "status": i.status, "flagged": i.text,
    } for i in items]


def position_of(items: Sequence[QueueItem], current: Optional[int], fallback: int = 0) -> int:
    """Where to stand in the queue: on flag `current` if it is still listed, else at
    `fallback` (the place it had: the next flag after a decision), clamped to the queue."""
    for n, item in enumerate(items):
        if item.id == current:
            return n
    return max(0, min(fallback, len(items) - 1))


def next_open(items: Sequence[QueueItem], position: int) -> Optional[int]:
    """The id of the first open flag after `position` (wrapping round), other than the one there."""
    n = len(items)
    for step in range(1, n):
        item = items[(position + step) % n]
        if item.status == "open":
            return item.id
    return None


def history_rows(decisions: Iterable[DecisionInfo], flag: Optional[int] = None) -> list[dict[str, Any]]:
    """A flag's decisions, oldest first, as a table; with the `flag`'s id, a decision made on
    the same passage in an earlier version of the file says so."""
    rows = []
    for d in decisions:
        earlier = flag is not None and d.finding != flag
        detail = {"recategorised": d.new_category, "severity": d.severity, "rewrite": d.rewrite}.get(d.decision)
        reason = REASON_LABELS.get(d.reason or "", d.reason or "")
        rows.append({"time": d.time.strftime("%Y-%m-%d %H:%M"), "reviewer": d.reviewer, "decision": d.decision,
                     "detail": detail or "", "reason": " - ".join(x for x in (reason, d.reason_text) if x),
                     "comment": d.comment or ""})
        if flag is not None:
            rows[-1]["made on"] = "an earlier version of the file" if earlier else "this version"
    return rows


def agreement_rows(agreements: Iterable[Agreement]) -> list[dict[str, Any]]:
    """Cohen's kappa per category and pair of reviewers, rounded for display."""
    return [{
        "category": a.category, "reviewer A": a.reviewer_a, "reviewer B": a.reviewer_b, "flags": a.n,
        "agreement": round(a.observed, 3), "kappa": None if a.kappa is None else round(a.kappa, 3),
    } for a in agreements]


def lexicon_stat_rows(stats: Iterable[LexiconStat], categories: Optional[dict[str, str]] = None) -> list[dict[str, Any]]:
    """Per lexicon entry: how often it fired and how reviewers judged its flags."""
    categories = categories or {}
    return [{
        "entry": s.entry, "category": categories.get(s.entry, ""), "fired": s.fired, "accepted": s.accepted,
        "dismissed": s.dismissed, "changed": s.changed,
        "dismissal rate": None if s.dismissal_rate is None else round(s.dismissal_rate, 2),
    } for s in stats]


def most_dismissed(stats: Iterable[LexiconStat], limit: int = 20) -> list[LexiconStat]:
    """Entries with dismissed flags, most dismissed first (then highest rate)."""
    dismissed = [s for s in stats if s.dismissed]
    return sorted(dismissed, key=lambda s: (-s.dismissed, -(s.dismissal_rate or 0), s.entry))[:limit]


def model_rows(models: Iterable[ModelInfo]) -> list[dict[str, Any]]:
    """Registered model versions with their headline metrics (those measured after training)."""
    rows = []
    for m in models:
        row: dict[str, Any] = {"version": m.version, "active": m.active,
                               "created": m.created_at.strftime("%Y-%m-%d %H:%M")}
        row.update({k: v for k, v in headline_metrics(m.metrics).items() if not k.startswith("before.")})
        rows.append(row)
    return rows


def headline_metrics(metrics: Optional[dict[str, Any]]) -> dict[str, Any]:
    """Flat numeric metrics without the detail tables (confusion matrices, per-category scores)."""
    return {k: v for k, v in flat_metrics(metrics).items()
            if isinstance(v, (int, float)) and not any(part in DETAIL for part in k.split("."))}


def flat_metrics(metrics: Optional[dict[str, Any]], prefix: str = "") -> dict[str, Any]:
    """Nested metrics as one level of 'a.b' keys, numbers rounded."""
    out: dict[str, Any] = {}
    for key, value in (metrics or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat_metrics(value, name + "."))
        else:
            out[name] = round(value, 3) if isinstance(value, float) else value
    return out


def compare_metrics(before: Optional[dict[str, Any]], after: Optional[dict[str, Any]]) -> list[dict[str, Any]]:
    """Before / after / change for every headline metric either side has."""
    b, a = headline_metrics(before), headline_metrics(after)
    rows = []
    for key in sorted(set(b) | set(a)):
        x, y = b.get(key), a.get(key)
        change = round(y - x, 3) if x is not None and y is not None else None
        rows.append({"metric": key, "before": x, "after": y, "change": change})
    return rows


def entry_rows(entries: Iterable[Any], query: str = "", category: Optional[str] = None) -> list[dict[str, Any]]:
    """Lexicon entries whose id, pattern, explanation or suggestion holds `query`
    (case-insensitive), of `category` if given, by id."""
    needle = query.strip().lower()
    rows = []
    for e in sorted(entries, key=lambda e: e.id):
        if category and e.category.value != category:
            continue
        patterns = [getattr(p, "text", None) or _token_pattern(p) for p in e.patterns]
        haystack = " ".join([e.id, *patterns, e.explanation or "", e.suggestion or ""]).lower()
        if needle and needle not in haystack:
            continue
        rows.append({"id": e.id, "category": e.category.value, "severity": e.severity.value,
                     "patterns": "; ".join(patterns), "explanation": e.explanation,
                     "suggestion": e.suggestion or "", "file": e.source})
    return rows


def _token_pattern(pattern: Any) -> str:
    """A token pattern written compactly: each token's first constraint."""
    words = []
    for token in getattr(pattern, "tokens", ()):
        value = next(iter(token.values()), "?") if token else "?"
        words.append(value if isinstance(value, str) else str(value))
    return "<" + " ".join(words) + ">"


def card_html(view: FlagView, *, with_status: bool = False) -> str:
    """One flag as safe HTML: category and severity, the highlighted passage, why, what to
    write instead and the references (every piece of text escaped)."""
    item = view.item
    head = [markup.badge(item.category, category_colour(item.category), ink="#101828"),
            markup.badge(item.severity, severity_colour(item.severity))]
    if with_status:
        head.append(markup.badge(item.status, "#344054"))
    if item.source == "reviewer":
        head.append(markup.badge("added by a reviewer", "#344054"))
    lines = [" ".join(head), f'<div style="margin:6px 0;font-size:1.05em">{view.passage_html}</div>',
             markup.labelled("Why", item.explanation), markup.labelled("Instead", item.suggestion)]
    lines += [markup.labelled("Reference", ref) for ref in item.references]
    return markup.block("".join(lines), border=severity_colour(item.severity))
