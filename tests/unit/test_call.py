"""Click-to-call without a browser: what may be dialled, the settings of a gateway, and the
numbers as links (or as text on the kiosk wall)."""

from __future__ import annotations

import pytest

from callbacks.call import incident_of
from layouts import call
from layouts.duty_panel import city_block
from settings import Settings, SettingsError
from telephony.numbers import dialable


@pytest.mark.parametrize(
    ("raw", "dialled"),
    [
        ("138 0000 1111", "13800001111"),
        ("0512-6500 1234", "051265001234"),
        ("+86 512 6500 1234", "+8651265001234"),
        ("8001", "8001"),
        ("12", None),
        ("1" * 21, None),
        ("138-0000-1111 转 8", None),
        ("tel:110", None),
        ("110;ext=1", None),
        ("<b>110</b>", None),
        ("", None),
        (None, None),
        ("++110", None),
        ("110+", None),
    ],
)
def test_only_digits_plus_dash_and_space_are_dialable(raw, dialled):
    assert dialable(raw) == dialled


def test_a_gateway_is_configured_by_settings_and_bad_ones_stop_start_up():
    s = Settings.load(
        {"CALL_GATEWAY_URL": "https://pbx.local/dial", "CALL_GATEWAY_AUTH_HEADER": "X-Key: a b"},
        environ={},
    )
    assert s.CALL_GATEWAY_METHOD == "POST" and s.CALL_GATEWAY_AUTH_HEADER == ("X-Key", "a b")
    assert Settings.load({}, environ={}).CALL_GATEWAY_URL is None
    for name, value in (
        ("CALL_GATEWAY_URL", "ftp://pbx/dial"),
        ("CALL_GATEWAY_METHOD", "DELETE"),
        ("CALL_GATEWAY_AUTH_HEADER", "no colon"),
        ("CALL_GATEWAY_TIMEOUT_S", "0"),
    ):
        with pytest.raises(SettingsError, match=name):
            Settings.load({name: value}, environ={})
    with pytest.raises(SettingsError) as refused:
        Settings.load({"CALL_GATEWAY_AUTH_HEADER": "Bearer s3cret"}, environ={})
    assert "s3cret" not in str(refused.value)  # a secret is named, never echoed


def test_a_number_is_a_tel_link_and_text_when_it_cannot_be_dialled():
    link = call.number("0512-6500 1234", name="值班室")
    assert link.href == "tel:051265001234" and link.children == "0512-6500 1234"
    assert "call-number" in link.className
    assert call.number("内线 转 8", name="x").to_plotly_json()["type"] == "Span"
    assert call.markdown("0512-6500 1234") == r"[0512\-6500 1234](tel:051265001234)"
    assert call.markdown("[x](javascript:alert(1))") == r"\[x\]\(javascript:alert\(1\)\)"


def test_the_kiosk_walls_duty_panel_shows_plain_numbers_and_other_walls_links():
    on_duty = [("leader", "张伟", "13800001111")]
    linked = city_block(on_duty)[0].children[2]
    plain = city_block(on_duty, plain=True)[0].children[2]
    assert linked.href == "tel:13800001111"
    assert plain.to_plotly_json()["type"] == "Span" and plain.children == "13800001111"


def test_only_an_incident_pages_path_names_an_incident():
    assert incident_of("/incident/INC-20261201-01") == "INC-20261201-01"
    assert incident_of("/incident/INC-1/") == "INC-1"
    assert incident_of("/duty") is None
    assert incident_of("/incident/a/b") is None
    assert incident_of(None) is None
