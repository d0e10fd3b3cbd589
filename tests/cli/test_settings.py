"""Configuration from the environment: defaults that work, and one clear line when it is wrong."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.settings import ConfigError, Settings


def test_defaults_run_on_sqlite_without_any_configuration():
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite+aiosqlite://")
    assert settings.time_zone == "Etc/UTC"


def test_a_plain_postgres_url_is_taken_as_asyncpg():
    settings = Settings.from_env({"TIDINGS_DATABASE_URL": "postgresql://u@db/tidings"})
    assert settings.database_url == "postgresql+asyncpg://u@db/tidings"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TIDINGS_DATABASE_URL", "mysql://x"),
        ("TIDINGS_BASE_URL", "status.example.com"),
        ("TIDINGS_TIME_ZONE", "Mars/Olympus"),
        ("TIDINGS_SECRET_KEY", "short"),
        ("TIDINGS_SMTP_PORT", "twenty-five"),
        ("TIDINGS_SMTP_STARTTLS", "maybe"),
        ("TIDINGS_EMAIL_BACKEND", "carrier-pigeon"),
        ("TIDINGS_BOUNCE_SOFT_LIMIT", "0"),
        ("TIDINGS_POSTMARK_WEBHOOK_AUTH", "only-a-user"),
        # A prefix without a path would also trust https://sns.example.attacker.test/.
        ("TIDINGS_SNS_TRUSTED_URL_PREFIX", "https://sns.example"),
    ],
)
def test_bad_configuration_names_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_bounce_settings_are_strict_unless_set():
    default = Settings.from_env({})
    assert (default.sns_trusted_url_prefix, default.sns_topic_arns) == (None, ())
    assert (default.bounce_soft_limit, default.webhook_failure_limit) == (3, 5)
    assert default.postmark_webhook_auth is None and default.mailgun_signing_key is None
    arns = Settings.from_env({"TIDINGS_SNS_TOPIC_ARNS": "arn:a, arn:b"}).sns_topic_arns
    assert arns == ("arn:a", "arn:b")


def test_the_command_stops_with_one_line_naming_the_variable():
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "page-id"],
        env={"TIDINGS_TIME_ZONE": "Nowhere/Land", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "TIDINGS_TIME_ZONE" in result.stderr
