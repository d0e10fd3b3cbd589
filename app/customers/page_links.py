"""A customer's page link in words: a stand-in until the words reach their reader.

A customer's page URL carries its token, the key to its private page. Words written on the
desk (template renderings, drafts, the queue, the audit log) are read by responders too, so
they hold `PAGE_LINK` instead; the delivery worker puts in each reader's own link when it
sends (`fill`). Pure: no database.
"""

from __future__ import annotations

from app.customers.models import Customer

# Plain text that reads sensibly wherever it is left as is (a page, a preview).
PAGE_LINK = "[customer page link]"


def page_url(base_url: str, customer: Customer) -> str:
    """The customer's private page (with its token): for comms leads, admins and the
    customer's own readers only."""
    return f"{base_url}/c/{customer.token}/"


def fill(words: str, link: str) -> str:
    """`words` with the reader's own link in place of every stand-in."""
    return words.replace(PAGE_LINK, link)
