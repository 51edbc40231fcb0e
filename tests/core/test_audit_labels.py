"""Every audit action the code records reads in words on the audit administrator's page."""

from __future__ import annotations

import ast
from pathlib import Path

from django.utils import translation

from jingpei.accounts import services
from jingpei.core import audit_labels
from jingpei.core.permissions import Role

SOURCE = Path(__file__).resolve().parents[2] / "jingpei"


def _strings(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)


def recorded_actions() -> set[str]:
    """Action codes written in the source: audit.record's or record_many's first argument (or a branch of it), the roster
    import's ``_audit``, the class enrolment's ``_set_status``, any ``action=`` keyword and the values of a table
    named ``AUDIT_ACTIONS`` (the funds' chain, one code per kind of item and step)."""
    codes = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "AUDIT_ACTIONS" for t in node.targets):
                codes.update(n.value for n in ast.walk(node.value) if isinstance(n, ast.Constant) and isinstance(n.value, str))
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("record", "record_many", "_audit") and node.args:
                codes.update(_strings(node.args[0]))
            if name == "_set_status" and node.args:
                codes.update(_strings(node.args[-1]))
            codes.update(v for kw in node.keywords if kw.arg == "action" for v in _strings(kw.value))
    return {c for c in codes if "." in c}  # argparse's action="store_true" is no audit code


def test_every_recorded_action_has_a_label():
    codes = recorded_actions()
    assert len(codes) > 60 and {"person.update", "ledger.credit", "academy.test.submit"} <= codes
    assert sorted(codes - set(audit_labels.ACTIONS)) == []
    assert sorted(set(audit_labels.ACTIONS) - codes) == []  # no label for an action nothing records


def test_unknown_codes_read_by_their_area():
    assert audit_labels.label("person.update") == "修改人员信息"
    assert audit_labels.label("person.something_new") == "人员：person.something_new"
    assert audit_labels.label("mystery") == "mystery"
    with translation.override("en"):
        assert audit_labels.label("grant.create") == "Grant a role"


def test_audit_page_shows_words_and_filters_by_area(client_as, cast):
    services.grant_role(actor=cast.security_admin, user=cast.trainee, role=Role.LIAISON, org=cast.town_a)
    page = client_as(cast.audit_admin).get("/admin/audit/?action=grant.").content.decode()
    assert 'data-testid="audit-action">授予权限<' in page and "grant.create" in page
    assert '<option value="grant." selected>授权</option>' in page
    other = client_as(cast.audit_admin).get("/admin/audit/?action=grant.cre").content.decode()
    assert '<option value="grant.cre" selected>grant.cre</option>' in other and "授予权限" in other


def test_audit_page_shows_changes_in_words(cast, client_as):
    from jingpei.academy import quiz
    from tests.academy.helpers import make_course

    course = make_course(cast.district, "乡村振兴政策解读", seconds=(30,))
    quiz.add_question(actor=cast.officer, course=course, kind="judge", text="产业兴旺是重点。", answer="对")
    quiz.set_rules(actor=cast.officer, course=course, pass_percent=80, attempts=0)
    page = client_as(cast.audit_admin).get("/admin/audit/?action=academy.").content.decode()
    assert '<dt class="d-inline fw-normal text-muted">题型</dt> <dd class="d-inline m-0">判断题</dd>' in page
    assert '<dt class="d-inline fw-normal text-muted">测试及格分</dt> <dd class="d-inline m-0">80</dd>' in page
    assert audit_labels.changes("orgs.person", {"gender": "F", "archived": True, "ranks": ["a", "b"]}) == [
        ("性别", "女"), ("archived", "是"), ("ranks", "a、b")]
    assert audit_labels.changes("no.such_model", {"x": None}) == [("x", "—")]
