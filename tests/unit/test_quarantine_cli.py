"""The quarantine command prints upstream text: control characters never reach the terminal."""

from archiver.quarantine_cli import printable
from data_sources.quarantine import decode_raw, encode_raw


def test_printable_escapes_terminal_controls_and_keeps_chinese_text() -> None:
    hostile = "罐区\x00报警\x1b[2J\x9b\u202etxt.exe\r\n"
    shown = printable(hostile)
    assert shown.startswith("罐区\\x00报警\\x1b[2J\\x9b\\u202etxt.exe")
    assert all(ch.isprintable() for ch in shown)
    assert printable("a" * 50, limit=10) == "a" * 9 + "…"


def test_raw_entries_round_trip_whatever_their_bytes() -> None:
    for raw in ["plain 文本", "nul\x00", b"\xff\xfe\x00", "\udcff", "\ud800 lone"]:
        stored, encoding = encode_raw(raw)
        assert "\x00" not in stored
        stored.encode("utf-8")  # PostgreSQL can hold it
        data = decode_raw(stored, encoding)
        if isinstance(raw, bytes):
            assert data == raw
        elif raw != "\ud800 lone":
            assert data.decode("utf-8", "surrogateescape") == raw
