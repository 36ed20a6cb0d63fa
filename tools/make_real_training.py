"""Write models/training/part-5-real.jsonl: the training split of the real-text set
(models/real, split.json), so the classifier learns real prose — its hard negatives above all.

Rows whose text (case and spaces ignored) also occurs in an evaluation set (the real-text
evaluation split, models/dev/dev.jsonl, models/dev/heldout.jsonl) are left out, so no
evaluation sentence is trained on. Real rows weigh WEIGHT: there are few of them, and real
prose is what the tool must get right.

Usage: python tools/make_real_training.py
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEIGHT = 1.0


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def main() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "src"))
    from bias_review.evaluate import load_examples

    held = {_key(e.text) for e in load_examples(ROOT / "models" / "real", split="evaluation")}
    for name in ("dev.jsonl", "heldout.jsonl"):
        held |= {_key(e.text) for e in load_examples(ROOT / "models" / "dev" / name)}
    rows, seen, dropped = [], set(), 0
    for e in load_examples(ROOT / "models" / "real", split="training"):
        k = _key(e.text)
        if k in held:
            dropped += 1
            continue
        if k in seen:
            continue
        seen.add(k)
        rows.append({"text": e.text, "label": e.label, "weight": WEIGHT,
                     "note": f"real text, {e.source}"})
    out = ROOT / "models" / "training" / "part-5-real.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"wrote {len(rows)} rows to {out} ({dropped} left out: also in an evaluation set)")


if __name__ == "__main__":
    main()
