"""Scan the four OpenStax books (../shared/corpus/real/openstax) and list every flag at `low`
and above with the label its sentence has in models/real (or `unlabelled`), in
models/real/flags-on-books.tsv; print flags per 100,000 words and wrong flags (labelled
`none`) per million words.

Usage: python tools/real_flags.py [CORPUS_DIR]
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from bias_review.engine import Engine
    from bias_review.evaluate import load_examples

    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "real"
    books = corpus / "openstax"
    examples = load_examples(ROOT / "models" / "real")
    labels = {(_key(e.text)): e.label for e in examples}
    by_place: dict[tuple[str, int], list] = {}
    for e in examples:
        by_place.setdefault((e.source, e.line), []).append(e)
    engine = Engine()
    rows, words = [], 0
    for path in sorted(books.glob("*/*.md")):
        words += len(re.findall(r"\w+", path.read_text(encoding="utf-8")))
        result = engine.scan_file(path, display_path=str(path.relative_to(corpus)), timeout=None)
        for f in result.findings:
            if not f.is_flag:
                continue
            label = labels.get(_key(f.passage))
            if label is None:  # the labelled row cut the sentence elsewhere: same place, same start
                same = [e for e in by_place.get((result.path, f.location.line), [])
                        if _key(f.passage)[:40] == _key(e.text)[:40]]
                label = same[0].label if same else "unlabelled"
            rows.append([result.path, f.location.line, f.category.value, f.severity.value, label,
                         f.text, f.passage])
    out = ROOT / "models" / "real" / "flags-on-books.tsv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["source", "line", "category", "severity", "label", "span", "passage"])
        w.writerows(rows)
    wrong = sum(1 for r in rows if r[4] == "none")
    unlabelled = sum(1 for r in rows if r[4] == "unlabelled")
    right = sum(1 for r in rows if r[4] == r[2])
    print(f"{words:,} words in {len(list(books.glob('*/*.md')))} chapters; {len(rows)} flags at low+ "
          f"({len(rows) / words * 1e5:.1f} per 100,000 words): {right} with the labelled category, "
          f"{wrong} labelled none ({wrong / words * 1e6:.1f} per million words), {unlabelled} unlabelled")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
