"""Record, on each labelled row of models/real that is a Markdown list item, the sentence that
introduces its list in the source document (`framing`), as the engine reads it when it scans
the whole file: `bias-review evaluate` passes it with the row, so a list of Blumenbach's races
under "Blumenbach divided humans into five races:" is judged with its lead-in, as in a scan.

Only the `framing` field is added or refreshed; text and labels are not touched.

Usage: python tools/frame_real_rows.py [CORPUS_DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from bias_review.parse.markdown import markdown_blocks

    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "real"
    framings: dict[str, dict[int, str]] = {}

    def framing_at(source: str, line: int) -> str:
        if source not in framings:
            path = corpus / source
            framings[source] = {}
            if path.suffix == ".md" and path.is_file():
                blocks, _ = markdown_blocks(path.read_text(encoding="utf-8").replace("\r\n", "\n"))
                framings[source] = {b.location.line: b.framing for b in blocks if b.framing}
        return framings[source].get(line, "")

    changed = 0
    for jsonl in sorted((ROOT / "models" / "real").glob("*.jsonl")):
        rows = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
        for row in rows:
            framing = framing_at(row.get("source", ""), int(row.get("line") or 0))
            if framing != row.get("framing", ""):
                changed += 1
                if framing:
                    row["framing"] = framing
                else:
                    row.pop("framing", None)
        jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{changed} row(s) given or cleared a lead-in")


if __name__ == "__main__":
    main()
