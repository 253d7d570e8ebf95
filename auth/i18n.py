"""The language of the login, enrol and admin pages: Chinese by default, English selectable
(`?lang=en`, remembered in the `se_lang` cookie, which the dashboards may read too). Their
words are the catalogue's `auth.*` (catalogue.py)."""

from __future__ import annotations

from flask import request

import catalogue
from catalogue import LANGS

COOKIE = "se_lang"


def current() -> str:
    """The language of this request: ?lang=, a form field, the cookie, else Chinese."""
    for raw in (request.args.get("lang"), request.form.get("lang"), request.cookies.get(COOKIE)):
        if raw in LANGS:
            return raw
    return "zh"


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The catalogue's `auth.<key>` in `lang` (this request's language when not given)."""
    full = f"auth.{key}"
    if full not in catalogue.MESSAGES:
        raise KeyError(key)  # a word the sign-in pages lack is a bug, not a page in code names
    return catalogue.t(full, lang or current(), **values)
