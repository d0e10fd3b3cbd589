"""User-editable templates render here: a sandboxed, loader-less Jinja2 (invariant 6).

`ImmutableSandboxedEnvironment` refuses attribute access to internals (`__class__`,
`__globals__`, ...) and calls that mutate; there is no loader, so `include`/`import`/`extends`
cannot reach the file system; undefined names fail loudly (StrictUndefined) instead of
leaving a silent gap in a customer message. Every failure becomes a `TemplateProblem`
naming the line, which the API answers as 422.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from app.lib.errors import InvalidInput

MAX_SOURCE = 20_000
MAX_OUTPUT = 40_000

# The names a template may use, documented for writers on the templates page.
VARIABLES = {
    "title": "the incident's title",
    "status": "the status this update is for, in words (e.g. Investigating)",
    "impact": "none, minor, major or critical",
    "components": "the affected components' names, as a list",
    "components_text": 'the affected components in a phrase ("API and Search")',
    "customer_name": "the customer's name for a customer's own wording, else empty",
    "started_at": "when it started, e.g. 14:03 UTC",
    "next_update_at": "the promised time of the next update, e.g. 14:33 UTC",
    "next_update_in": 'how long until then, e.g. "30 minutes"',
    "page_url": "the incident's page (the customer's page for a customer)",
    "window_start": "a maintenance window's start, e.g. Dec 02, 02:00 UTC (else empty)",
    "window_end": "a maintenance window's end (else empty)",
}


class TemplateProblem(InvalidInput):
    """A template that cannot render; `line` is 1-based when known."""

    def __init__(self, message: str, *, line: int | None, field: str = "body") -> None:
        where = f"line {line}: " if line else ""
        super().__init__(f"{field} {where}{message}", field=field)
        self.line = line


_env = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined,
    autoescape=False,  # the output is Markdown, sanitized when it becomes HTML
    keep_trailing_newline=False,
)


def _template_line(tb: TracebackType | None) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render_text(source: str, context: dict[str, Any], *, field: str = "body") -> str:
    """Render `source` with `context` in the sandbox, or raise TemplateProblem."""
    if len(source) > MAX_SOURCE:
        raise TemplateProblem(f"is longer than {MAX_SOURCE} characters", line=None, field=field)
    try:
        template = _env.from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(
            exc.message or "has a syntax error", line=exc.lineno, field=field
        ) from None
    try:
        output = template.render(**context)
    except SecurityError as exc:
        raise TemplateProblem(
            f"uses something templates may not touch ({exc})",
            line=_template_line(exc.__traceback__),
            field=field,
        ) from None
    except TemplateError as exc:
        raise TemplateProblem(
            exc.message or type(exc).__name__,
            line=_template_line(exc.__traceback__),
            field=field,
        ) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise TemplateProblem(
            f"{type(exc).__name__}: {exc}", line=_template_line(exc.__traceback__), field=field
        ) from None
    if len(output) > MAX_OUTPUT:
        raise TemplateProblem(f"renders to more than {MAX_OUTPUT} characters", line=None)
    return output.strip()
