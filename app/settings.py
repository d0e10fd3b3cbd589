"""Typed, frozen settings from `TIDINGS_*` environment variables, each with a SQLite default."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.lib.languages import LANGUAGES, check_language
from app.lib.paths import ROOT, THEMES

# The default database is a file in the Tidings folder, wherever a command is run from:
# a path relative to the working directory made `tidings` run from another folder quietly
# start (and migrate) a second, empty database.
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{ROOT / 'tidings.db'}"


class ConfigError(Exception):
    """Bad configuration: the message is one line naming the variable."""


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def _choice(env: Mapping[str, str], name: str, default: str, allowed: set[str]) -> str:
    value = (env.get(name) or default).strip().lower()
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(sorted(allowed))}, got {value!r}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _url_prefix(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name) or ""
    if not raw:
        return None
    parts = urlsplit(raw)
    # A prefix must end its host with a slash after it: "https://sns.example" would
    # otherwise also trust "https://sns.example.attacker.test/".
    if parts.scheme not in {"http", "https"} or not parts.netloc or not parts.path:
        raise ConfigError(f"{name} must be an http(s) URL with a path (e.g. .../), got {raw!r}")
    return raw


def _credentials(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name) or ""
    if raw and (":" not in raw or raw.startswith(":") or raw.endswith(":")):
        raise ConfigError(f"{name} must be user:password, got a value without both")
    return raw or None


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not value > 0:
        raise ConfigError(f"{name} must be more than 0, got {raw!r}")
    return value


def _url(env: Mapping[str, str], name: str) -> str | None:
    """An http(s) URL, or None when unset."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(f"{name} must be an http(s) URL, got {raw!r}")
    return raw


def _base_url(env: Mapping[str, str], name: str, default: str) -> str:
    """An http(s) URL paths are added to (without its trailing slash), or `default`."""
    return (_url(env, name) or default).rstrip("/")


def _anchored(database_url: str) -> str:
    """A SQLite URL with a relative path, made absolute from the Tidings folder (not from
    the folder a command happens to run in)."""
    prefix = "sqlite+aiosqlite:///"
    if not database_url.startswith(prefix):
        return database_url
    path, sep, query = database_url[len(prefix) :].partition("?")
    if not path or path == ":memory:" or path.startswith("/"):
        return database_url
    return f"{prefix}{ROOT / path}{sep}{query}"


def check_theme(name: str) -> None:
    """ConfigError unless `name` is a folder under themes/: a typo must not quietly serve
    another look."""
    plain = name and name not in {".", ".."} and "/" not in name and "\\" not in name
    if plain and (THEMES / name).is_dir():
        return
    known = sorted(p.name for p in THEMES.iterdir() if p.is_dir())
    raise ConfigError(
        f"TIDINGS_THEME names no theme folder: {name!r} (themes here: {', '.join(known)})"
    )


def is_loopback(host: str) -> bool:
    """Is `host` (a name or an address, IPv6 in brackets or not) this machine only?"""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = "dev-insecure-secret-change-me"
    page_name: str = "Tidings"
    time_zone: str = "Etc/UTC"
    theme: str = "default"
    # The language of pages and messages when nothing about the reader names one.
    language: str = "en"
    # Delivery (used by app/delivery).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    # SMTP connections a worker keeps open, shared by its lanes (at most one per lane):
    # with fewer connections than lanes, a lane building or recording a message leaves
    # its connection to another lane's next one.
    smtp_connections: int = 4
    email_from: str = "Tidings <status@localhost>"
    email_backend: str = "smtp"
    webhook_allow_private: bool = False
    # SMS (the `sms` channel): the provider and its account. The base URL is the operator's
    # own setting, so it may name a private or loopback address (a relay, a test peer).
    sms_provider: str = "twilio"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from: str | None = None
    twilio_base_url: str = "https://api.twilio.com"
    # Messages per second one provider account is sent, shared by the worker's lanes.
    sms_per_second: float = 1.0
    run_worker: bool = True
    worker_concurrency: int = 8
    # How long a worker holds the rows it claimed; a dead worker's rows come due after it.
    worker_lease_seconds: float = 120.0
    # The first retry of a failed send waits about this long; each next one twice as long.
    worker_retry_base_seconds: float = 30.0
    # How often an idle worker looks for due deliveries (seconds).
    worker_poll_seconds: float = 1.0
    # How often a web process looks for changes made by other processes (seconds); on
    # PostgreSQL a notification wakes it at once and this poll is only a safety net.
    state_poll_seconds: float = 0.2
    cookie_secure: bool = False
    # Take the client's address from X-Forwarded-For when a request comes from a proxy on
    # this host. From the environment it defaults to on unless the base URL is loopback
    # (a public URL served from 127.0.0.1 is the reverse-proxy set-up).
    trust_proxy: bool = False
    # A folder that always holds a static copy of the public site (None: no copy), and a
    # shell command run after each write of it (to sync it to a bucket or another host).
    static_dir: str | None = None
    static_hook: str | None = None
    # The languages the static copy is written in: the site's at the root, each other one
    # under its prefix (/de/, ...).
    static_languages: tuple[str, ...] = tuple(LANGUAGES)
    # Bounces and complaints (app/subscribers/bounces). Soft bounces that quarantine an
    # address, and failed deliveries in a row that quarantine a URL subscriber (0: never).
    bounce_soft_limit: int = 3
    webhook_failure_limit: int = 5
    # Amazon SNS: the topics whose notifications count (empty: any topic signed by SNS), and
    # a URL prefix trusted besides SNS's own hosts for signing certificates and subscription
    # confirmations (for a test double or a private mirror; unset: Amazon's hosts only).
    sns_topic_arns: tuple[str, ...] = ()
    sns_trusted_url_prefix: str | None = None
    # Postmark: "user:password" its webhook URL carries as Basic auth (unset: refused).
    postmark_webhook_auth: str | None = None
    # Mailgun: the webhook signing key its requests are signed with (unset: refused).
    mailgun_signing_key: str | None = None
    # The Maildir folder `tidings bounces` reads delivery status notifications from.
    bounces_maildir: str | None = None

    # Nudges about next-update promises (app/comms/review/nudges.py): how many minutes
    # before a promise comes due the comms leads are told (0: only when it lapses), and the
    # team's own Slack or Teams channel told too (incoming-webhook URLs; None: email only).
    nudge_before_minutes: int = 5
    team_slack_webhook_url: str | None = None
    team_teams_webhook_url: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str, default: str) -> str:
            value = env.get(name)
            return default if value is None or value == "" else value

        database_url = get("TIDINGS_DATABASE_URL", cls.database_url)
        if not database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            if database_url.startswith(("postgres://", "postgresql://")):
                database_url = "postgresql+asyncpg://" + database_url.split("://", 1)[1]
            elif database_url.startswith("sqlite://"):
                database_url = "sqlite+aiosqlite://" + database_url.split("://", 1)[1]
            else:
                raise ConfigError(
                    "TIDINGS_DATABASE_URL must start with sqlite+aiosqlite:// or "
                    f"postgresql+asyncpg://, got {database_url!r}"
                )
        database_url = _anchored(database_url)
        base_url = get("TIDINGS_BASE_URL", cls.base_url).rstrip("/")
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ConfigError(f"TIDINGS_BASE_URL must be an http(s) URL, got {base_url!r}")
        time_zone = get("TIDINGS_TIME_ZONE", cls.time_zone)
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"TIDINGS_TIME_ZONE must be an IANA zone like Europe/Paris, got {time_zone!r}"
            ) from None
        secret_key = get("TIDINGS_SECRET_KEY", cls.secret_key)
        if len(secret_key) < 16:
            raise ConfigError("TIDINGS_SECRET_KEY must be at least 16 characters long")
        page_name = get("TIDINGS_PAGE_NAME", cls.page_name).strip()
        if not page_name:
            raise ConfigError("TIDINGS_PAGE_NAME must not be blank")
        theme = get("TIDINGS_THEME", cls.theme).strip()
        check_theme(theme)
        try:
            language = check_language(
                get("TIDINGS_LANGUAGE", cls.language), what="TIDINGS_LANGUAGE"
            )
        except ValueError as refusal:
            raise ConfigError(str(refusal)) from None
        return cls(
            database_url=database_url,
            base_url=base_url,
            secret_key=secret_key,
            page_name=page_name,
            time_zone=time_zone,
            theme=theme,
            language=language,
            smtp_host=get("TIDINGS_SMTP_HOST", cls.smtp_host),
            smtp_port=_int(env, "TIDINGS_SMTP_PORT", cls.smtp_port, minimum=1),
            smtp_username=env.get("TIDINGS_SMTP_USERNAME") or None,
            smtp_password=env.get("TIDINGS_SMTP_PASSWORD") or None,
            smtp_starttls=_flag(env, "TIDINGS_SMTP_STARTTLS", cls.smtp_starttls),
            smtp_connections=_int(env, "TIDINGS_SMTP_CONNECTIONS", 4, minimum=1),
            email_from=get("TIDINGS_EMAIL_FROM", cls.email_from),
            email_backend=_choice(
                env, "TIDINGS_EMAIL_BACKEND", cls.email_backend, {"smtp", "console"}
            ),
            webhook_allow_private=_flag(env, "TIDINGS_WEBHOOK_ALLOW_PRIVATE", False),
            sms_provider=_choice(env, "TIDINGS_SMS_PROVIDER", cls.sms_provider, {"twilio"}),
            twilio_account_sid=env.get("TIDINGS_TWILIO_ACCOUNT_SID") or None,
            twilio_auth_token=env.get("TIDINGS_TWILIO_AUTH_TOKEN") or None,
            twilio_from=env.get("TIDINGS_TWILIO_FROM") or None,
            twilio_base_url=_base_url(env, "TIDINGS_TWILIO_BASE_URL", cls.twilio_base_url),
            sms_per_second=_positive(env, "TIDINGS_SMS_PER_SECOND", cls.sms_per_second),
            run_worker=_flag(env, "TIDINGS_RUN_WORKER", cls.run_worker),
            worker_concurrency=_int(env, "TIDINGS_WORKER_CONCURRENCY", 8, minimum=1),
            worker_lease_seconds=_int(env, "TIDINGS_WORKER_LEASE_SECONDS", 120, minimum=1),
            worker_retry_base_seconds=_int(env, "TIDINGS_WORKER_RETRY_BASE_SECONDS", 30, minimum=1),
            worker_poll_seconds=_int(env, "TIDINGS_WORKER_POLL_SECONDS", 1, minimum=1),
            cookie_secure=_flag(env, "TIDINGS_COOKIE_SECURE", base_url.startswith("https")),
            trust_proxy=_flag(env, "TIDINGS_TRUST_PROXY", not is_loopback(parts.hostname or "")),
            static_dir=env.get("TIDINGS_STATIC_DIR") or None,
            static_hook=env.get("TIDINGS_STATIC_HOOK") or None,
            static_languages=_languages(env, "TIDINGS_STATIC_LANGUAGES", language),
            bounce_soft_limit=_int(env, "TIDINGS_BOUNCE_SOFT_LIMIT", 3, minimum=1),
            webhook_failure_limit=_int(env, "TIDINGS_WEBHOOK_FAILURE_LIMIT", 5, minimum=0),
            sns_topic_arns=tuple(
                arn.strip() for arn in get("TIDINGS_SNS_TOPIC_ARNS", "").split(",") if arn.strip()
            ),
            sns_trusted_url_prefix=_url_prefix(env, "TIDINGS_SNS_TRUSTED_URL_PREFIX"),
            postmark_webhook_auth=_credentials(env, "TIDINGS_POSTMARK_WEBHOOK_AUTH"),
            mailgun_signing_key=env.get("TIDINGS_MAILGUN_SIGNING_KEY") or None,
            bounces_maildir=env.get("TIDINGS_BOUNCES_MAILDIR") or None,
            nudge_before_minutes=_int(env, "TIDINGS_NUDGE_BEFORE_MINUTES", 5, minimum=0),
            team_slack_webhook_url=_url(env, "TIDINGS_TEAM_SLACK_WEBHOOK_URL"),
            team_teams_webhook_url=_url(env, "TIDINGS_TEAM_TEAMS_WEBHOOK_URL"),
            extra={k: v for k, v in env.items() if k.startswith("TIDINGS_")},
        )


def _languages(env: Mapping[str, str], name: str, site: str) -> tuple[str, ...]:
    """A comma-separated list of languages (unset: all of them); the site's is always in."""
    raw = env.get(name) or ",".join(LANGUAGES)
    try:
        chosen = [check_language(tag, what=name) for tag in raw.split(",") if tag.strip()]
    except ValueError as refusal:
        raise ConfigError(str(refusal)) from None
    return tuple(dict.fromkeys([site, *chosen]))


def development_key_refusal(settings: Settings, *, host: str | None = None) -> str | None:
    """Why `settings` may not run on the public development secret key, in one line saying
    what to set; None when a key is set or nobody else can reach this server.

    Anyone can sign subscribers' links with the default key, so it only does for a server
    reached from this machine alone: served on loopback (`host`), with a loopback base URL
    and no proxy in front (a proxy on this host makes a loopback server public).
    """
    if settings.secret_key != Settings.secret_key:
        return None
    fix = (
        "the development key is public, so links signed with it can be forged; set "
        "TIDINGS_SECRET_KEY to a long random value (e.g. the output of `openssl rand -hex 32`)"
    )
    if not is_loopback(urlsplit(settings.base_url).hostname or ""):
        return (
            f"TIDINGS_SECRET_KEY is not set and TIDINGS_BASE_URL ({settings.base_url}) is not "
            f"a loopback address: {fix}"
        )
    if settings.trust_proxy:
        return (
            "TIDINGS_SECRET_KEY is not set and proxy headers are trusted "
            f"(TIDINGS_TRUST_PROXY), so this server is behind a proxy: {fix}"
        )
    if host is not None and not is_loopback(host):
        return f"TIDINGS_SECRET_KEY is not set and the server would listen on {host}: {fix}"
    return None


# The stored page id of each database this process uses (see app.site.service). The id
# lives in the database; this only lets synchronous renderers read it without a query.
_page_ids: dict[str, str] = {}


def remember_page_id(settings: Settings, page_id: str) -> None:
    _page_ids[settings.database_url] = page_id


def page_id_for(settings: Settings) -> str:
    """This page's Statuspage-style id: 12 lowercase alphanumerics, created once and stored.

    Processes read it at start-up (`app.site.service.ensure_page_id`: the web app's
    lifespan, the worker, the CLI); asking before then is a bug, not something to guess at.
    """
    try:
        return _page_ids[settings.database_url]
    except KeyError:
        raise RuntimeError(
            "the page id has not been loaded; call app.site.service.ensure_page_id first"
        ) from None
