"""/report/daily over HTTP: who may open it (as /duty: people yes, displays no, anonymous to
the login), the default day, 400 pages for bad input and 503, never 500, when the warehouse
fails."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from data_sources.daily_report import default_day
from tests.integration.test_auth import (
    client_at,
    enrolled,
    quick_hashes,  # noqa: F401 - autouse fixture
    secured_app,
    signed_in,
)

# A day with a report (any will do where a test names the day itself).
DAY = default_day(datetime.now(UTC)).isoformat()


def redirected(client, path: str) -> tuple[str, set[str]]:  # noqa: ANN001
    """Where `path` (no date) is sent, and the days it may name: yesterday as of just before
    and just after the request (a run that crosses midnight in Shanghai, 16:00 UTC)."""
    before = default_day(datetime.now(UTC)).isoformat()
    response = client.get(path)
    after = default_day(datetime.now(UTC)).isoformat()
    assert response.status_code == 302
    return response.headers["Location"], {before, after}


@pytest.fixture
def secured(make_app, redis_url, reference_url):  # noqa: ANN001, ANN201
    return secured_app(make_app, redis_url, reference_url)


def test_the_report_is_open_to_people_like_duty_and_closed_to_displays_and_anonymous(secured):
    path = f"/report/daily?date={DAY}"
    anonymous = client_at(secured).get(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == f"/login?next={quote(path, safe='/')}"
    display, _ = enrolled(secured)
    for target in (path, "/duty"):
        refused = display.get(target)
        assert refused.status_code == 403 and "无权访问" in refused.text
    viewer = signed_in(secured, "viewer")
    page = viewer.get(path)
    assert page.status_code == 200 and "值班日报" in page.text
    assert "script-src 'none'" in page.headers["Content-Security-Policy"]
    workbook = viewer.get(path + "&format=xlsx")
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"
    assert "attachment" in workbook.headers["Content-Disposition"]


def test_without_a_date_the_report_is_yesterdays_and_the_address_says_so(make_app, reference_url):
    client = make_app(WAREHOUSE_URL=reference_url).server.test_client()
    location, days = redirected(client, "/report/daily")
    assert location in {f"/report/daily?date={day}" for day in days}
    location, days = redirected(client, "/report/daily?format=xlsx")
    assert location in {f"/report/daily?date={day}&format=xlsx" for day in days}


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("date=", "请给出日期"),
        ("date=2026-11-31", "没有这一天"),
        ("date=%3Cb%3E1%3C%2Fb%3E", "格式不对"),
        ("date=2026-11-30%00", "格式不对"),
        ("date=9999-12-31", "还没有到来"),
        (f"date={DAY}&format=docx", "格式只能是"),
        (f"date={DAY}&format=", None),  # an empty format is the page
    ],
)
def test_bad_input_gets_a_400_page_that_says_why(make_app, reference_url, query, says):
    client = make_app(WAREHOUSE_URL=reference_url).server.test_client()
    response = client.get("/report/daily?" + query)
    if says is None:
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response.mimetype == "text/html" and says in response.text
    assert "<b>1</b>" not in response.text  # the input is never echoed as markup


def test_a_broken_warehouse_gets_a_503_page_not_a_500(make_app, reference_url):
    app = make_app(WAREHOUSE_URL=reference_url)
    app.server.extensions["smart_emergency_sources"].warehouse.execute("DROP TABLE duty_log")
    response = app.server.test_client().get(f"/report/daily?date={DAY}")
    assert response.status_code == 503 and "数据仓库暂时无法读取" in response.text


def test_the_language_is_kept_by_the_redirect_the_cookie_and_the_error_page(
    make_app, reference_url
):
    client = make_app(WAREHOUSE_URL=reference_url).server.test_client()
    plain = client.get(f"/report/daily?date={DAY}").text
    assert "lang=en" not in plain and "lang=zh" not in plain  # Chinese needs no lang= in links
    location, days = redirected(client, "/report/daily?format=xlsx&lang=en")
    assert location in {f"/report/daily?date={day}&lang=en&format=xlsx" for day in days}
    english = client.get(f"/report/daily?date={DAY}&lang=en").text
    assert '<html lang="en">' in english and "<h1>Daily duty report</h1>" in english
    assert f'href="/report/daily?date={DAY}&amp;format=pdf&amp;lang=en"' in english
    assert "值班日报" not in english
    bad = client.get(f"/report/daily?date={DAY}&format=docx&lang=en")
    assert bad.status_code == 400 and "The format is pdf or xlsx" in bad.text
    bad = client.get("/report/daily?date=2026-02-30&lang=en")
    assert bad.status_code == 400 and "There is no such day: 2026-02-30." in bad.text
    assert "没有" not in bad.text and "lang=en" in bad.text  # the example link too
    # The sign-in pages' remembered choice (auth/i18n.py's cookie) is the report's too;
    # ?lang= wins over it.
    client.set_cookie("se_lang", "en")
    assert "<h1>Daily duty report</h1>" in client.get(f"/report/daily?date={DAY}").text
    chinese = client.get(f"/report/daily?date={DAY}&lang=zh").text
    assert '<html lang="zh-CN">' in chinese and "<h1>值班日报</h1>" in chinese
    assert f'href="/report/daily?date={DAY}&amp;format=pdf&amp;lang=zh"' in chinese


def test_the_landing_pages_card_opens_the_report_in_the_pages_language() -> None:
    import screens
    from layouts.home_page import card

    (report,) = [p for p in screens.PAGES if p.path == "/report/daily"]
    assert card(report, "en").href == "/report/daily?lang=en"
    assert card(report, "zh").href == "/report/daily"
