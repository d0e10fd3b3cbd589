"""The `tidings` command: migrate, demo data, serve, keys and users, import, bounces."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.service import (
    create_api_key,
    create_user,
    parse_role,
    remove_user,
    set_password,
)
from app.db.reach import NotReady, applied_revisions, check_ready, where
from app.db.session import make_engine, make_sessionmaker
from app.lib.errors import DomainError
from app.settings import ConfigError, Settings, development_key_refusal
from app.web.listen import AddressProblem, check_host, claim_port

T = TypeVar("T")


def _run_in_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def main() -> T:
        engine = make_engine(settings.database_url)
        try:
            async with make_sessionmaker(engine)() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(main())


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> None:
    from app.db.migrate import revisions_between, upgrade

    url = settings.database_url
    before = asyncio.run(applied_revisions(url))  # also says so when it cannot be reached
    upgrade(url)
    after = asyncio.run(applied_revisions(url))
    applied = revisions_between(before, after)
    schema = ", ".join(sorted(after))
    if applied:
        print(
            f"database {where(url)}: applied {len(applied)} migration(s), {applied[0]} to "
            f"{applied[-1]}; it is at the newest schema ({schema})"
        )
    else:
        print(f"database {where(url)}: already at the newest schema ({schema}); nothing to do")


def cmd_demo(settings: Settings, _args: argparse.Namespace) -> None:
    from app.demo.load import load_demo, welcome

    loaded = _run_in_session(settings, lambda s: load_demo(s, settings=settings))
    if loaded is None:
        print(
            f"database {where(settings.database_url)} already has data; demo data was not "
            "loaded again"
        )
    else:
        print(f"demo data loaded into {where(settings.database_url)}: {loaded}")
    print(_run_in_session(settings, lambda s: welcome(s, settings=settings)))


def cmd_create_api_key(settings: Settings, args: argparse.Namespace) -> None:
    role = parse_role(args.role)
    key, raw = _run_in_session(settings, lambda s: create_api_key(s, name=args.name, role=role))
    print(
        f"API key {key.name!r} ({key.role}) for {where(settings.database_url)}, shown once, "
        "keep it safe:"
    )
    print(raw)


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> None:
    role = parse_role(args.role)
    password = args.password or getpass.getpass("password: ")
    user = _run_in_session(
        settings,
        lambda s: create_user(
            s,
            username=args.username,
            password=password,
            role=role,
            email=args.email,
            notify_me=args.notify_me,
        ),
    )
    told = f", told at {user.email}" if user.notify_me else ""
    print(f"user {user.username!r} ({user.role}) created in {where(settings.database_url)}{told}")


def cmd_set_password(settings: Settings, args: argparse.Namespace) -> None:
    password = args.password or getpass.getpass("new password: ")
    user = _run_in_session(
        settings, lambda s: set_password(s, username=args.username, password=password)
    )
    print(
        f"password of {user.username!r} changed in {where(settings.database_url)}; their desk "
        "sessions are ended"
    )


def cmd_remove_user(settings: Settings, args: argparse.Namespace) -> None:
    user = _run_in_session(settings, lambda s: remove_user(s, username=args.username))
    print(
        f"user {user.username!r} removed from {where(settings.database_url)}; their desk "
        "sessions are ended"
    )


def cmd_page_id(settings: Settings, _args: argparse.Namespace) -> None:
    from app.site.service import ensure_page_id

    print(_run_in_session(settings, lambda s: ensure_page_id(s, settings)))
    # Only the id on stdout, for scripts; where it was read, for the person running it.
    print(f"(the page id of {where(settings.database_url)})", file=sys.stderr)


def cmd_import(settings: Settings, args: argparse.Namespace) -> None:
    from app.accounts.actor import Actor
    from app.accounts.models import Role
    from app.statuspage.importer.report import ProgressBar, text_report
    from app.statuspage.importer.service import import_statuspage

    # The operator at the command line: private and loopback addresses are theirs to read.
    actor = Actor.system("import", name="tidings import (command line)", role=Role.ADMIN)
    progress = ProgressBar(sys.stdout) if sys.stdout.isatty() and not args.dry_run else None
    plan = _run_in_session(
        settings,
        lambda s: import_statuspage(
            s,
            actor=actor,
            url=args.url,
            dry_run=args.dry_run,
            allow_private=True,
            progress=progress,
        ),
    )
    print(text_report(plan))
    print(f"(the database: {where(settings.database_url)})", file=sys.stderr)


def cmd_bounces(settings: Settings, args: argparse.Namespace) -> None:
    """Delivery status notifications from a Maildir folder and/or stdin: one line each."""
    from app.subscribers.bounces.maildir import read_bounces

    folder = args.maildir or settings.bounces_maildir
    if not folder and not args.stdin:
        sys.exit("tidings: give --maildir DIR or --stdin, or set TIDINGS_BOUNCES_MAILDIR")
    stdin = sys.stdin.buffer if args.stdin else None
    asyncio.run(read_bounces(settings, folder=folder, stdin=stdin, delete=args.delete, say=print))


WORKER_STOP_SECONDS = 10


def cmd_serve(settings: Settings, args: argparse.Namespace) -> None:
    """Serve with granian (measured faster than uvicorn on this app: docs/benchmarks.md),
    in `--workers` processes; each reads its settings from the environment. Everything
    that would stop it is checked first, each said in one line before it listens."""
    from granian import Granian

    args.host = check_host(args.host)
    # The default key is public: anyone could sign links with it. Only a server nobody else
    # can reach (`make run`, a demo on this machine) may run with it.
    if (refused := development_key_refusal(settings, host=args.host)) is not None:
        sys.exit(f"tidings: {refused}")
    held = claim_port(args.host, args.port)
    asyncio.run(check_ready(settings.database_url))
    if args.check:  # `make run` asks before `tidings demo` replaces a running server's key
        held.close()
        print(f"tidings: {args.host} port {args.port} is free; {where(settings.database_url)}")
        return
    if args.no_worker:
        os.environ["TIDINGS_RUN_WORKER"] = "0"
    if args.no_copy:
        os.environ["TIDINGS_STATIC_DIR"] = ""
    print(f"tidings: serving the database {where(settings.database_url)}", flush=True)
    Granian(
        "app.asgi:create_served_app",
        factory=True,
        interface="asgi",
        address=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        log_access=False,
        # A worker told to stop while it is still starting never answers (granian waits
        # for it forever by default): after this many seconds it is killed instead.
        workers_kill_timeout=WORKER_STOP_SECONDS,
    ).serve()
    held.close()


def cmd_export(settings: Settings, args: argparse.Namespace) -> None:
    from pathlib import Path

    from app.asgi import create_app
    from app.public.asgi_local import running
    from app.public.copy_files import has_gzip_copy
    from app.public.copy_keeper import export_app
    from app.public.static_copy import run_hook

    folder = Path(args.folder).resolve()

    async def main() -> None:
        app = create_app(dataclasses.replace(settings, run_worker=False, static_dir=None))
        async with running(app):
            written = await export_app(app, folder)
        if settings.static_hook:
            await run_hook(settings.static_hook, folder)
        # Counted as they lie in the folder: each text file has its gzip copy beside it.
        total = len(written.names) + sum(1 for name in written.names if has_gzip_copy(name))
        print(
            f"static copy of {where(settings.database_url)} in {folder}: {total} "
            f"files ({len(written.names)} pages and files, {total - len(written.names)} gzip "
            f"copies); {written.changed} written, {total - written.changed} unchanged, "
            f"{written.removed} removed, in {written.seconds:.2f} s"
        )

    asyncio.run(main())


def cmd_copy(settings: Settings, _args: argparse.Namespace) -> None:
    from app.asgi import create_app
    from app.public.copy_keeper import keep_copy

    keep_copy(create_app(dataclasses.replace(settings, run_worker=False)))


def cmd_worker(settings: Settings, _args: argparse.Namespace) -> None:
    import logging
    import signal

    from app import worker

    # The worker signs the links in the emails it sends: the same rule as `serve`.
    if (refused := development_key_refusal(settings)) is not None:
        sys.exit(f"tidings: {refused}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    async def main() -> None:
        from app.site.service import ensure_page_id

        logging.getLogger("tidings.worker").info(
            "delivering from the database %s", where(settings.database_url)
        )
        engine = make_engine(settings.database_url)
        async with make_sessionmaker(engine)() as session:
            await ensure_page_id(session, settings)
            await session.commit()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        try:
            await worker.run(settings, make_sessionmaker(engine), stop)
        finally:
            await engine.dispose()

    asyncio.run(main())


def _database_line() -> str:
    try:
        place = where(Settings.from_env().database_url)
    except ConfigError as exc:
        return f"The database: not known, the configuration is wrong ({exc})."
    return (
        f"The database: {place} (set TIDINGS_DATABASE_URL to use another; a relative SQLite "
        "path is taken from the Tidings folder, not from where the command runs)."
    )


def _port(raw: str) -> int:
    port = int(raw) if raw.isdecimal() else 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 1 to 65535, got {raw!r}")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tidings", description=__doc__, epilog=_database_line())
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the database to the newest schema").set_defaults(
        run=cmd_migrate, ready=False
    )
    commands.add_parser("demo", help="load demo data into an empty database").set_defaults(
        run=cmd_demo
    )
    serve = commands.add_parser("serve", help="serve the pages and the API")
    serve.add_argument("--host", default="127.0.0.1", help="an IP address (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument(
        "--workers", type=int, default=1, help="web processes (changes reach all within 0.5 s)"
    )
    serve.add_argument(
        "--no-worker", action="store_true", help="deliver nothing here (`tidings worker` does)"
    )
    serve.add_argument("--no-copy", action="store_true", help="keep no copy (`tidings copy` does)")
    serve.add_argument(
        "--check", action="store_true", help="check the address and the database, then exit"
    )
    serve.set_defaults(run=cmd_serve, ready=False)  # checked after the address
    export = commands.add_parser(
        "export",
        help="write the public site as static files into a folder (what TIDINGS_STATIC_DIR "
        "keeps up to date), once",
    )
    export.add_argument("folder")
    export.set_defaults(run=cmd_export)
    commands.add_parser("copy", help="keep TIDINGS_STATIC_DIR fresh").set_defaults(run=cmd_copy)
    commands.add_parser(
        "worker", help="deliver email and webhooks (beside `serve --no-worker`)"
    ).set_defaults(run=cmd_worker)
    key = commands.add_parser("create-api-key", help="create an API key (printed once)")
    key.add_argument("--role", required=True, choices=["responder", "comms_lead", "admin"])
    key.add_argument("--name", default="cli")
    key.set_defaults(run=cmd_create_api_key)
    user = commands.add_parser("create-user", help="create a user for the admin pages")
    user.add_argument("username")
    user.add_argument("--role", required=True, choices=["responder", "comms_lead", "admin"])
    user.add_argument("--password", help="read from the terminal when absent")
    user.add_argument("--email", help="the user's email address (optional)")
    user.add_argument(
        "--notify-me",
        action="store_true",
        help="email them when a reviewer publishes or sends back their draft (needs --email)",
    )
    user.set_defaults(run=cmd_create_user)
    password = commands.add_parser(
        "set-password", help="set a desk user's password (ends their sessions)"
    )
    password.add_argument("username")
    password.add_argument("--password", help="read from the terminal when absent")
    password.set_defaults(run=cmd_set_password)
    remove = commands.add_parser(
        "remove-user", help="remove a desk user (ends their sessions at once)"
    )
    remove.add_argument("username")
    remove.set_defaults(run=cmd_remove_user)
    commands.add_parser(
        "page-id", help="print this page's Statuspage-style id (created once, then stored)"
    ).set_defaults(run=cmd_page_id)
    imports = commands.add_parser("import", help="bring a page's history in from elsewhere")
    sources = imports.add_subparsers(dest="source", required=True)
    statuspage = sources.add_parser(
        "statuspage",
        help="import a Statuspage page (components, incidents, maintenances) from its v2 API",
        description="Read URL/api/v2/*.json and create what is new or changed since the "
        "last import of that page. Imported incidents are public and published; nothing is "
        "sent to any subscriber.",
    )
    statuspage.add_argument("url", help="the page's address, e.g. https://status.example.com")
    statuspage.add_argument(
        "--dry-run", action="store_true", help="print what would be imported; write nothing"
    )
    statuspage.set_defaults(run=cmd_import)
    bounces = commands.add_parser("bounces", help="read bounces (RFC 3464 DSNs), quarantine")
    bounces.add_argument("--maildir", help="Maildir folder (default: TIDINGS_BOUNCES_MAILDIR)")
    bounces.add_argument("--stdin", action="store_true", help="read one message from stdin")
    bounces.add_argument("--delete", action="store_true", help="delete (not mark seen) each one")
    bounces.set_defaults(run=cmd_bounces)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        sys.exit(f"tidings: configuration error: {exc}")
    try:
        if getattr(args, "ready", True):
            asyncio.run(check_ready(settings.database_url))
        args.run(settings, args)
    except DomainError as exc:
        sys.exit(f"tidings: {exc.message}")
    except (NotReady, AddressProblem) as exc:
        sys.exit(f"tidings: {exc}")


if __name__ == "__main__":
    main()
