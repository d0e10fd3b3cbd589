"""Driving the admin desk over HTTP: sign in as one of the `users`, read CSRF tokens."""

from __future__ import annotations

import html
import re

from litestar.testing import AsyncTestClient

PASSWORD = "correct horse battery"  # every desk user's, see the `users` fixture

HTML = {"Accept": "text/html"}  # so that a refusal answers a page, not problem+json


def csrf(page: str) -> str:
    """The CSRF token of a desk page's forms."""
    match = re.search(r'name="_csrf" value="([^"]+)"', page)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def sign_in(client: AsyncTestClient, name: str) -> None:  # type: ignore[type-arg]
    """Sign `name` in through the sign-in form; the client keeps the session cookie."""
    form = await client.get("/admin/sign-in")
    response = await client.post(
        "/admin/sign-in",
        data={"username": name, "password": PASSWORD, "_csrf": csrf(form.text), "next": "/admin"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/admin"


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    """What a reader sees: the page without tags, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", response.text))
