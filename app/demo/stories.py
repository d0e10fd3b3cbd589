"""The demo company: its components, its customers and the incidents of its last 90 days.

Plain data, written like a real team's status page, so a newcomer sees what good wording
looks like; `load.py` turns it into rows.
"""

from __future__ import annotations

GROUPS = {
    "Core platform": ["API", "Web dashboard", "Authentication", "Webhooks delivery"],
    "Data": ["Database", "Search", "File storage", "Reporting"],
    "Regions": ["EU (Frankfurt)", "US East (Virginia)", "Asia Pacific (Singapore)"],
}
LOOSE = ["Billing"]

CUSTOMERS = {
    "Acme Logistics": ["API", "Webhooks delivery", "Database", "EU (Frankfurt)"],
    "Northwind Health": ["Web dashboard", "Authentication", "File storage", "US East (Virginia)"],
    "Globex Retail": ["API", "Search", "Reporting", "Asia Pacific (Singapore)"],
}

# (title, impact, components with status, [(status, body)], duration in minutes)
PAST = [
    (
        "Elevated API error rates",
        "major",
        {"API": "partial_outage"},
        [
            (
                "investigating",
                "We're seeing a higher rate of errors on API requests, starting at "
                "around {start}. Some requests fail with a 502. We're investigating and will "
                "update you within 30 minutes.",
            ),
            (
                "identified",
                "We found the cause: a configuration change to our load balancers sent "
                "part of the traffic to servers that were being retired. We're rolling it "
                "back now.",
            ),
            (
                "monitoring",
                "The rollback is complete and error rates are back to normal. We're "
                "watching closely to make sure it stays that way.",
            ),
            (
                "resolved",
                "This is resolved. Between {start} and {end}, about 4% of API requests "
                "failed. We're sorry for the disruption; we've added a check so this change can't "
                "reach production without a canary step again.",
            ),
        ],
        74,
    ),
    (
        "Slow search results",
        "minor",
        {"Search": "degraded_performance"},
        [
            (
                "investigating",
                "Search is slower than usual: results can take several seconds. "
                "Nothing is lost. We're looking into it and will update you within 2 hours.",
            ),
            (
                "resolved",
                "Search is fast again. A re-indexing job ran at the wrong time of day and "
                "competed with searches; we've moved it to the night.",
            ),
        ],
        48,
    ),
    (
        "Sign-in failures for some users",
        "major",
        {"Authentication": "major_outage"},
        [
            (
                "investigating",
                "Some people can't sign in and see an error page. We're sorry, and "
                "we're on it. Next update within 30 minutes.",
            ),
            (
                "identified",
                "An expired certificate at our identity provider caused the failures. "
                "We're installing a new one.",
            ),
            (
                "resolved",
                "Everyone can sign in again. Sessions that were already open were not "
                "affected. We now monitor certificate expiry dates with 30 days of warning.",
            ),
        ],
        39,
    ),
    (
        "Delayed webhooks",
        "minor",
        {"Webhooks delivery": "degraded_performance"},
        [
            (
                "investigating",
                "Webhooks are arriving up to 10 minutes late. None are lost: every "
                "event will be delivered. We'll update you within 2 hours.",
            ),
            (
                "monitoring",
                "We added capacity and the backlog is draining. Webhooks are now "
                "arriving within seconds.",
            ),
            ("resolved", "All delayed webhooks have been delivered and delivery times are normal."),
        ],
        95,
    ),
    (
        "Reports not generating",
        "minor",
        {"Reporting": "partial_outage"},
        [
            (
                "investigating",
                "Scheduled reports are not being generated. You can still run "
                "reports by hand. We're investigating; next update within 2 hours.",
            ),
            (
                "resolved",
                "Scheduled reports run again, and the ones that were missed have been "
                "generated and sent.",
            ),
        ],
        130,
    ),
    (
        "File uploads failing in US East",
        "major",
        {"File storage": "partial_outage", "US East (Virginia)": "partial_outage"},
        [
            (
                "investigating",
                "Uploads of files larger than 10 MB fail for customers in US East. "
                "Downloads work. We're sorry; next update within 30 minutes.",
            ),
            ("identified", "A storage node ran out of disk space. We're moving data off it."),
            ("resolved", "Uploads work again. We've added disk space alerts with more headroom."),
        ],
        61,
    ),
    (
        "Dashboard not loading for some users",
        "minor",
        {"Web dashboard": "degraded_performance"},
        [
            (
                "investigating",
                "The dashboard loads slowly or not at all for some people. The API "
                "is not affected. Next update within 2 hours.",
            ),
            (
                "resolved",
                "A faulty release of our front-end was rolled back; the dashboard loads "
                "normally again.",
            ),
        ],
        35,
    ),
    (
        "Database failover in EU",
        "critical",
        {"Database": "major_outage", "EU (Frankfurt)": "major_outage"},
        [
            (
                "investigating",
                "Our primary database in Frankfurt stopped answering and we are "
                "failing over to the standby. Requests in the EU are failing. We're very sorry; "
                "next update within 15 minutes.",
            ),
            (
                "monitoring",
                "The standby has taken over and requests succeed again. We're checking "
                "that no writes were lost.",
            ),
            (
                "resolved",
                "Service in the EU was down for 18 minutes. We have confirmed that no "
                "data was lost. We'll publish a full review within a week.",
            ),
        ],
        18,
    ),
]

CUSTOMER_ONLY = [
    (
        "Acme Logistics",
        "Webhook deliveries to your endpoint failing",
        "minor",
        {"Webhooks delivery": "partial_outage"},
        [
            (
                "investigating",
                "Webhooks to your endpoint have been failing since {start} because "
                "of a TLS handshake error on our side. We're holding them and will retry them all.",
            ),
            (
                "resolved",
                "We fixed the TLS configuration and every held webhook has been delivered "
                "in order.",
            ),
        ],
        55,
    ),
    (
        "Northwind Health",
        "Slow document previews for your account",
        "minor",
        {"File storage": "degraded_performance"},
        [
            (
                "investigating",
                "Previews of uploaded documents take up to a minute for your team. "
                "We're looking into it; next update within 2 hours.",
            ),
            (
                "resolved",
                "A slow storage volume serving your account was replaced; previews are "
                "back to normal.",
            ),
        ],
        80,
    ),
]


def describe(name: str) -> str:
    """A component's one-line description on the demo page."""
    return {
        "API": "The REST API and its SDKs",
        "Web dashboard": "The web app your team signs in to",
        "Authentication": "Sign-in, single sign-on and API tokens",
        "Webhooks delivery": "Events sent to your endpoints",
        "Database": "Primary data storage",
        "Search": "Full-text search across your workspace",
        "File storage": "Uploads, downloads and previews",
        "Reporting": "Scheduled and on-demand reports",
        "Billing": "Invoices, payments and plan changes",
    }.get(name, f"Service hosted in {name}")
