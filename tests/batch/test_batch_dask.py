"""The Dask executor: a LocalCluster of worker processes finds what local workers find, and the
client alone records the files in the store."""

from __future__ import annotations

from pathlib import Path

from batch_builders import stored_findings, write_archive
from bias_review.batch import BatchOptions, EngineSpec, open_archive, run_batch
from bias_review.store import open_store


def test_a_dask_local_cluster_finds_what_local_workers_find(tmp_path: Path):
    root = tmp_path / "archive"
    write_archive(root, 6)
    spec = EngineSpec(classifier=False)
    found = {}
    for executor in ("local", "dask"):
        with open_store(f"sqlite:///{tmp_path / executor}.sqlite", data=tmp_path / "data") as store:
            with open_archive([root]) as files:
                summary = run_batch(files, spec, store=store, options=BatchOptions(
                    executor=executor, workers=2, timeout=120, progress=False))
            assert (summary.scanned.documents, summary.scanned.failed) == (6, 0)
            found[executor] = stored_findings(store)
    assert found["dask"] == found["local"] and len(found["local"]) == 6
