"""The audit trail on /admin as a person reads it: actions named in Chinese (English on
request), times in Asia/Shanghai, filters by person, action and time range, and a CSV export
of what the filter shows, its headers in the page's language."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import g

import auth
from tests.integration.test_auth import T0, Clock, secured_app, signed_in

pytestmark = pytest.mark.redis

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


@pytest.fixture
def admin(make_app, redis_url: str, warehouse_url: str):  # noqa: ANN001, ANN201
    clock = Clock()
    app = secured_app(make_app, redis_url, warehouse_url, clock)
    signed_in(app, "duty")  # a 登录 record of duty at T0 (09:00 in Suzhou)
    clock.advance(hours=2)  # 11:00 in Suzhou
    with app.server.test_request_context("/tablet", environ_base={"REMOTE_ADDR": "10.1.1.20"}):
        g.se_user = auth.User("duty", "duty_officer", "duty 测试")
        auth.audit("ack_alarm", alarm_id="A-1")
        auth.audit("export", rows=3)
    return signed_in(app, "admin")


def rows_of(page: str) -> list[tuple[str, str]]:
    """(action code, actor) of each row of the audit table."""
    return re.findall(r'<tr data-action="([^"]*)" data-actor="([^"]*)">', page)


def test_the_audit_trail_names_actions_in_chinese_and_shows_shanghai_time(admin) -> None:  # noqa: ANN001
    page = admin.get("/admin").text
    table = page[page.index('id="admin-audit"') :]
    assert (
        "<td>确认警情</td>" in table and "<td>登录</td>" in table and "<td>导出数据</td>" in table
    )
    assert "<td>ack_alarm</td>" not in table and "UTC" not in table
    assert "2026-12-02 11:00:00" in table  # T0 + 2 h, shown at UTC+8
    assert "2026-12-02 09:00:00" in table
    assert "<td>值班员</td>" in table  # the role too
    english = admin.get("/admin?lang=en").text
    assert "<td>Alarm acknowledged</td>" in english and "Asia/Shanghai" in english


def test_the_audit_trail_filters_by_person_action_and_time(admin) -> None:  # noqa: ANN001
    mine = rows_of(admin.get("/admin?actor=duty").text)
    assert mine and {actor for _, actor in mine} == {"duty"}
    assert {a for a, _ in rows_of(admin.get("/admin?action=ack_alarm").text)} == {"ack_alarm"}
    # 10:00-12:00 Suzhou time holds the acknowledgement and the export, not the 09:00 sign-in.
    window = rows_of(admin.get("/admin?actor=duty&from=2026-12-02T10:00&to=2026-12-02T12:00").text)
    assert sorted(a for a, _ in window) == ["ack_alarm", "export"]
    assert rows_of(admin.get("/admin?actor=nobody").text) == []
    assert "没有符合条件的记录" in admin.get("/admin?actor=nobody").text


def test_the_audit_export_is_the_filtered_trail_with_headers_in_the_pages_language(admin) -> None:  # noqa: ANN001
    page = admin.get("/admin?actor=duty&action=ack_alarm").text
    link = re.search(r'class="auth-link audit-export" href="([^"]+)"', page).group(1)
    response = admin.get(link.replace("&amp;", "&"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["时间", "操作者", "角色", "地址", "动作", "结果", "详情"]
    assert [r[4] for r in rows[1:]] == ["确认警情"]
    assert rows[1][0] == "2026-12-02 11:00:00" and rows[1][1] == "duty"
    english = admin.get("/admin/audit.csv?lang=en&action=ack_alarm").data.decode("utf-8-sig")
    header, first = list(csv.reader(io.StringIO(english)))[:2]
    assert header[0] == "Time" and first[4] == "Alarm acknowledged" and first[5] == "ok"
    # The whole English trail: its own words (time, role, action, outcome) have no Chinese;
    # who did it, from where and the detail are as recorded.
    english = admin.get("/admin/audit.csv?lang=en").data.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(english)))
    assert header == ["Time", "Who", "Role", "Address", "Action", "Outcome", "Detail"]
    assert (
        rows and [(r[2], r[4], r[5]) for r in rows if CJK.search(r[0] + r[2] + r[4] + r[5])] == []
    )
    assert T0.tzinfo is not None
