"""Migrations: from an empty database, from the previous revision with data in it, and the
append-only rule enforced by the database itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from bias_review.store import (
    activate_model, active_model, add_document, current_revision, deactivate_models, decide, documents,
    head_revision, history, models, open_store, queue, register_model, upgrade,
)
from bias_review.store.db import make_engine
from bias_review.store.migrate import VERSION_TABLE
from bias_review.store.models import Base
from store_builders import finding, scanned_document


def test_an_empty_database_is_migrated_to_head_and_matches_the_models(db_url: str, tmp_path: Path):
    with open_store(db_url, data=tmp_path) as store:
        assert current_revision(store.engine) == head_revision() == "0003"
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}),
                                    Base.metadata)
            tables = set(inspect(conn).get_table_names())
    assert diff == []
    assert {"courses", "documents", "scans", "findings", "annotations", "model_versions", VERSION_TABLE} <= tables


def test_opening_again_is_a_no_op(db_url: str, tmp_path: Path):
    with open_store(db_url, data=tmp_path) as store:
        doc, _ = scanned_document(store, [finding("f1")])
    with open_store(db_url, data=tmp_path) as store:
        assert [i.stable_id for i in queue(store)] == ["f1"]


def test_upgrade_from_the_previous_revision_keeps_the_data(db_url: str, tmp_path: Path):
    engine = make_engine(db_url)
    assert upgrade(engine, "0001") == "0001"
    assert "model_versions" not in inspect(engine).get_table_names()
    t = {"t": "2025-01-01 00:00:00"}
    with engine.begin() as conn:  # rows written by a 0001-era store (ids from the database)
        conn.execute(text("INSERT INTO courses (name, year, created_at) VALUES ('Renal', 2025, :t)"), t)
        conn.execute(text("INSERT INTO documents (sha256, name, uploaded_at, course_id, path) SELECT :s, "
                          "'renal.pdf', :t, id, 'uploads/x/renal.pdf' FROM courses"), {**t, "s": "a" * 64})
        conn.execute(text(
            'INSERT INTO findings (document_id, stable_id, source, category, severity, text, passage, "start", '
            '"end", location, detectors, "references", created_at) SELECT id, \'f1\', \'tool\', '
            "'race-correction', 'high', 'x', 'x y', 0, 1, '{}', '[]', '[]', :t FROM documents"), t)
        conn.execute(text("INSERT INTO annotations (finding_id, reviewer, created_at, decision, category) "
                          "SELECT id, 'ana', :t, 'accepted', 'race-correction' FROM findings"), t)
    engine.dispose()

    with open_store(db_url, data=tmp_path) as store:
        assert current_revision(store.engine) == "0003"
        [item] = queue(store)
        assert (item.stable_id, item.status, item.course) == ("f1", "accepted", "Renal")
        assert [d.reviewer for d in history(store, item)] == ["ana"]
        decide(store, item, "ben", "dismissed")
        assert queue(store)[0].status == "dismissed"
        register_model(store, "clf-2", "models/clf-2", {"macro_f1": 0.9})
        activate_model(store, "clf-2")
        assert active_model(store).version == "clf-2"


def test_upgrade_from_0002_adds_source_path_and_keeps_the_documents(db_url: str, tmp_path: Path):
    engine = make_engine(db_url)
    assert upgrade(engine, "0002") == "0002"
    assert "source_path" not in {c["name"] for c in inspect(engine).get_columns("documents")}
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO documents (sha256, name, uploaded_at, path) VALUES "
                          "(:s, 'renal.pdf', '2025-01-01 00:00:00', 'uploads/x/renal.pdf')"), {"s": "a" * 64})
    engine.dispose()

    with open_store(db_url, data=tmp_path) as store:
        assert current_revision(store.engine) == "0003"
        [old] = documents(store)
        assert (old.name, old.source_path) == ("renal.pdf", None)
        new = add_document(store, b"%PDF x", "renal.pdf", source_path="2024-25/Renal/renal.pdf")
        assert add_document(store, b"%PDF x", "renal.pdf", source_path="2024-25/Renal/renal.pdf") == new
        other = add_document(store, b"%PDF x", "renal.pdf", source_path="2023-24/Renal/renal.pdf")
        assert other.id != new.id and new.source_path == "2024-25/Renal/renal.pdf"


@pytest.mark.parametrize("statement", ["UPDATE annotations SET decision = 'dismissed'", "DELETE FROM annotations"])
def test_the_database_refuses_to_change_or_delete_a_decision(store, statement: str):
    doc, _ = scanned_document(store, [finding("f1")])
    decide(store, queue(store)[0], "ana", "accepted")
    with pytest.raises(DBAPIError, match="append-only"):
        with store.engine.begin() as conn:
            conn.execute(text(statement))
    assert [d.decision for d in history(store, queue(store)[0])] == ["accepted"]


def test_only_one_model_is_active(store):
    register_model(store, "clf-a", "a", {"macro_f1": 0.8})
    register_model(store, "clf-b", "b", {"macro_f1": 0.9})
    assert active_model(store) is None
    activate_model(store, "clf-a")
    activate_model(store, "clf-b")
    assert active_model(store).version == "clf-b"
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM model_versions WHERE active")).scalar() == 1
    with pytest.raises(DBAPIError):
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE model_versions SET active = TRUE"))


def test_deactivating_leaves_no_model_active_and_keeps_the_register(store):
    register_model(store, "clf-a", "a", {"macro_f1": 0.8})
    deactivate_models(store)  # nothing active: a no-op
    activate_model(store, "clf-a")
    deactivate_models(store)
    assert active_model(store) is None
    assert [(m.version, m.active) for m in models(store)] == [("clf-a", False)]
    assert activate_model(store, "clf-a").active


def test_a_store_already_at_head_opens_without_alembic_and_an_old_one_is_still_upgraded(db_url: str, tmp_path: Path):
    import subprocess
    import sys

    from bias_review.store.migrate import HEAD

    assert HEAD == head_revision()  # the constant follows the scripts
    with open_store(db_url, data=tmp_path):
        pass
    code = ("import sys; from bias_review.store import open_store; "
            f"s = open_store({db_url!r}, data={str(tmp_path)!r}); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    with make_engine(db_url).begin() as conn:  # back to an older revision: Alembic runs again
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '0002'"))
        conn.execute(text("ALTER TABLE documents DROP COLUMN source_path"))
    with open_store(db_url, data=tmp_path) as store:
        assert current_revision(store.engine) == HEAD
        assert "source_path" in {c["name"] for c in inspect(store.engine).get_columns("documents")}
