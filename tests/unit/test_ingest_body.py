"""The body door (ingest/body.py) on bytes alone, as other transports would call it."""

from __future__ import annotations

import json
import time

import pytest

from ingest.body import MAX_DEPTH, ApiError, control_char, decode


def status_of(raw: bytes) -> int:
    with pytest.raises(ApiError) as caught:
        decode(raw)
    return caught.value.status


def test_plain_utf8_json_comes_back_parsed() -> None:
    assert decode('{"title": "储罐\\t泄漏\\n", "v": [1, 2.5, null, true]}'.encode()) == {
        "title": "储罐\t泄漏\n",
        "v": [1, 2.5, None, True],
    }


def test_the_depth_limit_is_exact_and_brackets_inside_strings_do_not_count() -> None:
    assert decode(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    assert status_of(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)) == 400
    text = json.dumps({"note": "[" * 1000 + "{" * 1000, "q": '\\"[[[['})
    assert decode(text.encode())["note"].startswith("[[[")


def test_a_megabyte_of_brackets_is_refused_quickly_not_recursed_into() -> None:
    """Benchmark-style: prints the time, asserts only the outcome."""
    raw = b"[" * 1_000_000
    start = time.perf_counter()
    assert status_of(raw) == 400
    print(f"1 MB of '[' refused in {1000 * (time.perf_counter() - start):.1f} ms")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("\x00", "U+0000"),
        ("a\x01", "U+0001"),
        ("\x1f", "U+001F"),
        ("\x7f", "U+007F"),
        ("\ud800", "U+D800"),
        ("x\udfffy", "U+DFFF"),
        ("\r", "U+000D"),
        ("\x0b", "U+000B"),
    ],
)
def test_control_characters_lone_surrogates_and_del_are_found(text: str, found: str) -> None:
    assert control_char(text) == found


@pytest.mark.parametrize("text", ["", "tab\there", "line\nnext", "苏州 °C %LEL", "\u0085\u2028"])
def test_tab_newline_and_ordinary_text_are_not_control_characters(text: str) -> None:
    assert control_char(text) is None


def test_an_escaped_nul_in_a_nested_key_is_422_naming_where() -> None:
    with pytest.raises(ApiError) as caught:
        decode(b'{"detail": {"a": [{"b\\u0000": 1}]}}')
    assert (caught.value.status, caught.value.field) == (422, "detail.a[0]")


def test_a_duplicate_key_at_any_depth_is_400() -> None:
    assert status_of(b'{"a": {"b": 1, "b": 2}}') == 400
    assert status_of(b'[{"x": 1}, {"x": 1, "x": 1}]') == 400
    assert decode(b'[{"x": 1}, {"x": 1}]') == [{"x": 1}, {"x": 1}]
