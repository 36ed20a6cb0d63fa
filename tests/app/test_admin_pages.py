"""Admin pages and who may reach them: login configured (simulated through AppTest's secrets
and user) with a roles file, or no login at all."""

from __future__ import annotations

import html
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from bias_review.store import active_model, decide, queue, register_model
from app_builders import app_test, goto, page_names, prefilled

ROLES = '[users]\n"ana@school.edu" = "admin"\n"bo@school.edu" = "reviewer"\n'


@pytest.fixture
def roles(app_store, monkeypatch, tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("BIAS_REVIEW_ROLES", str(path))
    return path


def logged_in(email: str):
    return app_test(login=True, user={"is_logged_in": True, "email": email, "name": email.split("@")[0]})


def _models_page_only():
    from bias_review.webapp.page_models import models_page

    models_page()


def test_no_login_banner_and_every_page(app_store):
    at = app_test().run()
    assert page_names(at) == ["upload", "review", "dashboard", "lexicons", "models"]
    assert "Login is not configured" in at.info[0].value
    assert at.text_input(key="reviewer_name").label == "Reviewer name"


def test_login_required_before_anything(app_store, roles):
    at = app_test(login=True, user={"is_logged_in": False}).run()
    assert [b.label for b in at.button] == ["Log in"] and page_names(at) == []


def test_reviewer_sees_no_admin_page_and_is_refused_if_reaching_one(app_store, roles):
    at = logged_in("bo@school.edu").run()
    assert page_names(at) == ["upload", "review", "dashboard"]
    assert "Reviewer name" not in [t.label for t in at.text_input]  # the login names the reviewer
    with pytest.raises(AssertionError, match="not in the navigation"):
        goto(at, "models")
    direct = AppTest.from_function(_models_page_only, default_timeout=60)
    direct.secrets["auth"] = {"client_id": "id"}
    direct.user = {"is_logged_in": True, "email": "bo@school.edu"}
    direct.run()
    assert "do not have access" in direct.error[0].value and not direct.button


def test_reviewer_decisions_are_recorded_under_the_login(app_store, roles):
    prefilled(app_store)
    at = goto(logged_in("bo@school.edu"), "review")
    at.button(key="review_accept").click().run()
    assert [d.reviewer for f in queue(app_store) for d in _history(app_store, f)] == ["bo@school.edu"]


def _history(store, flag):
    from bias_review.store import history

    return history(store, flag.id)


def test_course_director_only_uploads(app_store, roles):
    assert page_names(logged_in("cy@school.edu").run()) == ["upload"]


def test_a_broken_roles_file_fails_closed(app_store, roles):
    Path(roles).write_text('[users]\n"ana@school.edu" = "owner"\n', encoding="utf-8")
    at = logged_in("ana@school.edu").run()
    assert "roles file cannot be used" in at.error[0].value and page_names(at) == ["upload"]


def test_lexicons_page(app_store, roles):
    prefilled(app_store)
    for flag in queue(app_store):
        decide(app_store, flag, "ana@school.edu", "dismissed")
    at = goto(logged_in("ana@school.edu"), "lexicons")
    assert not at.exception and at.title[0].value == "Lexicons"
    at.text_input(key="lex_search").set_value("egfr").run()
    entries = at.dataframe[0].value
    assert len(entries) >= 1 and all("egfr" in " ".join(map(str, row)).lower() for row in entries.values)
    fired, dismissed = at.dataframe[1].value, at.dataframe[2].value
    assert set(fired["entry"]) == {"vignette", "egfr", "caucasian", "mention"}
    assert set(dismissed["entry"]) == {"vignette", "egfr", "caucasian", "mention"}


def test_models_page_without_the_learning_module(app_store, roles, monkeypatch):
    monkeypatch.setattr("bias_review.webapp.page_models.learning_module", lambda: None)
    at = goto(logged_in("ana@school.edu"), "models")
    assert "No retrained model yet." in [c.value for c in at.caption]
    at.button(key="models_retrain").click().run()
    assert [i.value for i in at.info] == ["retraining is not available in this build"]


@dataclass(frozen=True)
class FakeResult:
    version: str
    path: Path
    before: dict
    after: dict
    decisions_used: int
    decisions_held_back: int


def test_retrain_then_activate(app_store, roles, monkeypatch, tmp_path):
    calls = []

    def retrain_from_store(store, *, out_dir, log=print, **_):
        calls.append(out_dir)
        log("training on 12 decisions")
        register_model(store, "clf-new", tmp_path / "m", {"dev": {"f1": 0.93}})
        return FakeResult("clf-new", tmp_path / "m", {"dev": {"f1": 0.9}, "held_back": {"f1": 0.5}},
                          {"dev": {"f1": 0.93}, "held_back": {"f1": 0.75}}, 9, 3)

    monkeypatch.setitem(sys.modules, "bias_review.learning",
                        types.SimpleNamespace(retrain_from_store=retrain_from_store))
    at = goto(logged_in("ana@school.edu"), "models")
    at.button(key="models_retrain").click().run()
    assert not at.exception and calls == [app_store.data_dir / "models"]
    compare = at.dataframe[-1].value
    assert list(compare["metric"]) == ["dev.f1", "held_back.f1"] and list(compare["change"]) == [0.03, 0.25]
    assert active_model(app_store) is None  # registered, not active
    at.button(key="models_keep").click().run()
    assert active_model(app_store) is None and "Kept the current model" in at.success[0].value
    at.button(key="models_retrain").click().run()
    at.button(key="models_activate").click().run()
    assert active_model(app_store).version == "clf-new"
    assert "clf-new is active" in html.unescape(at.success[0].value)


@pytest.mark.parametrize("error, shown", [
    (ValueError("too few reviewer decisions to retrain"), "too few reviewer decisions to retrain"),
    (KeyError("dev"), "internal error while retraining (KeyError: 'dev')"),
])
def test_a_failed_retraining_is_one_clear_line(app_store, roles, monkeypatch, error, shown):
    def retrain_from_store(store, **_):
        raise error

    monkeypatch.setitem(sys.modules, "bias_review.learning",
                        types.SimpleNamespace(retrain_from_store=retrain_from_store))
    at = goto(logged_in("ana@school.edu"), "models")
    at.button(key="models_retrain").click().run()
    assert not at.exception and [html.unescape(e.value) for e in at.error] == [shown]


def test_dashboard_shows_the_archive_numbers_and_charts(app_store):
    """The dashboard draws the archive report's charts from the store: the same numbers as
    `bias-review report`, the labels escaped."""
    from bias_review.batch.archive import load_archive
    from bias_review.batch.numbers import archive_numbers

    prefilled(app_store)
    numbers = archive_numbers(load_archive(app_store))
    assert numbers["flags"] > 0
    at = goto(app_test(), "dashboard")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Flags"] == str(numbers["flags"]) and metrics["Documents"] == str(numbers["documents"])
    svg = [m.value for m in at.markdown if m.value.startswith("<svg")]
    assert len(svg) >= 3 and all("<script" not in s for s in svg)
    assert any(category in "".join(svg) for category in numbers["by_category"])
