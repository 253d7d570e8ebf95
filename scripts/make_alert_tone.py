"""Write assets/alert-tone.wav, the alert tone of red alarms and escalations (assets/alert.js).

A two-tone call (988 Hz / 740 Hz, three pairs, ~1.1 s), 22.05 kHz mono 16-bit, each beep faded
in and out so that it never clicks. Deterministic: run it again and the file is the same.
`python scripts/make_alert_tone.py` (the file is committed; nothing is fetched).
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22050
OUT = Path(__file__).resolve().parents[1] / "assets" / "alert-tone.wav"
HIGH, LOW = 988.0, 740.0  # B5 and F#5: heard across a hall, not shrill
BEEP_S, GAP_S, PAIRS = 0.16, 0.03, 3
FADE_S = 0.012
VOLUME = 0.6


def _beep(freq: float) -> list[int]:
    n = int(BEEP_S * RATE)
    fade = int(FADE_S * RATE)
    samples = []
    for i in range(n):
        envelope = min(1.0, i / fade, (n - 1 - i) / fade)
        # A little of the third harmonic makes it carry on small speakers.
        value = math.sin(2 * math.pi * freq * i / RATE) + 0.25 * math.sin(
            2 * math.pi * 3 * freq * i / RATE
        )
        samples.append(int(32767 * VOLUME * envelope * value / 1.25))
    return samples


def tone() -> list[int]:
    gap = [0] * int(GAP_S * RATE)
    samples: list[int] = []
    for _ in range(PAIRS):
        samples += _beep(HIGH) + gap + _beep(LOW) + gap
    return samples + [0] * int(0.1 * RATE)


def main() -> None:
    samples = tone()
    with wave.open(str(OUT), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    print(f"{OUT}: {len(samples) / RATE:.2f} s, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
