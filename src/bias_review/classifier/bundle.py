"""Where a model lives and how its files are checked before use: no numpy, no scikit-learn,
so a rerun that only compares versions (and the CLI's error handling) stays light."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

INFERENCE_FILE = "classifier.npz"
META_FILE = "metadata.json"


class ModelError(Exception):
    """The model file is missing, tampered with, or does not fit this installation."""


def read_checked(directory: Path, file_name: str, hash_key: str, required: tuple[str, ...]) -> tuple[dict, bytes]:
    """A model file's metadata and bytes, after checking that both exist, the metadata is valid
    JSON with the `required` keys, and the file's sha256 is the one the metadata records under
    `hash_key`. Raises ModelError naming the file and the problem."""
    path, meta_path = directory / file_name, directory / META_FILE
    if not path.is_file() or not meta_path.is_file():
        raise ModelError(f"{directory}: no model here (need {file_name} and {META_FILE}); run `bias-review train`")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelError(f"{meta_path}: metadata is not valid JSON ({exc})") from None
    for key in (hash_key, *required):
        if key not in meta:
            raise ModelError(f"{meta_path}: metadata lacks {key!r}")
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != meta[hash_key]:
        raise ModelError(f"{path}: file does not match its metadata (sha256 {actual[:12]}… != "
                         f"{str(meta[hash_key])[:12]}…); it was changed or replaced")
    return meta, data


def bundled_model_dir() -> Path:
    """The model shipped with the package (models/ in the source tree)."""
    from importlib import resources

    return Path(str(resources.files("bias_review") / "data" / "models"))
