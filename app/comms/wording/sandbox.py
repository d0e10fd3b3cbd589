"""User-editable templates render here: a sandboxed, loader-less Jinja2 with a budget.

`ImmutableSandboxedEnvironment` refuses attribute access to internals (`__class__`,
`__globals__`, ...) and calls that mutate; there is no loader, so `include`/`import`/`extends`
cannot reach the file system; undefined names fail loudly (StrictUndefined) instead of
leaving a silent gap in a customer message.

Nor may a template exhaust the server: what a template may do is kept to what messages
need (no macros, call blocks or `recursive` loops, loops nested at most twice, `range()` of
at most `MAX_RANGE` numbers, few string methods and filters), and every render runs within
the budget of `app.comms.wording.budget` (1 s, 10 MB), which the render checks as it goes and so
stops itself. From async code, render through `app.comms.wording.render_pool`, which runs renders
in worker processes. Every failure becomes a `TemplateProblem` naming the line (or the
limit), which the API answers as 422.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.visitor import NodeTransformer

from app.comms.wording.budget import (
    OverBudget,
    check_items,
    check_length,
    current,
    guard_filter,
    replaced_length,
    start,
    stop,
    text,
    text_length,
)
from app.lib.errors import InvalidInput

MAX_SOURCE = 20_000
MAX_OUTPUT = 40_000
MAX_RANGE = 100
MAX_LOOP_DEPTH = 2

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
    "page_url": (
        "the incident's page; for a customer, its private page, shown as [customer page link] "
        "until each reader's own link is put in as the message is sent"
    ),
    "window_start": "a maintenance window's start, e.g. Dec 02, 02:00 UTC (else empty)",
    "window_end": "a maintenance window's end (else empty)",
    "started_on": "when it started, with the day, e.g. Dec 02, 14:03 UTC",
    "resolved_on": "when it was resolved, with the day (else empty)",
    "lasted": 'how long it lasted once resolved, e.g. "2 hours" (else empty)',
}


# What a saved template is rendered against once, so a typo fails when it is saved.
SAMPLE_VALUES = {
    "title": "Elevated error rates",
    "status": "Investigating",
    "impact": "major",
    "components": ["API", "Search"],
    "components_text": "API and Search",
    "customer_name": "Example Customer",
    "started_at": "14:03 UTC",
    "next_update_at": "14:33 UTC",
    "next_update_in": "30 minutes",
    "page_url": "https://status.example.com/incidents/abc",
    "window_start": "Dec 02, 02:00 UTC",
    "window_end": "Dec 02, 04:00 UTC",
    "started_on": "Dec 02, 14:03 UTC",
    "resolved_on": "Dec 02, 15:40 UTC",
    "lasted": "97 minutes",
}


class TemplateProblem(InvalidInput):
    """A template that cannot render; `line` is 1-based when known."""

    def __init__(self, message: str, *, line: int | None, field: str = "body") -> None:
        where = f"line {line}: " if line else ""
        super().__init__(f"{field} {where}{message}", field=field)
        self.line = line
        self._parts = (message, line, field)

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in a render worker and re-raised here: rebuilt from its parts.
        message, line, field = self._parts
        return (_problem, (message, line, field))


def _problem(message: str, line: int | None, field: str) -> TemplateProblem:
    return TemplateProblem(message, line=line, field=field)


# ---------------------------------------------------------------- the environment

_STR_METHODS = frozenset(
    {"upper", "lower", "title", "capitalize", "strip", "replace", "startswith", "endswith"}
)
_FILTERS = frozenset(
    [
        "capitalize",
        "default",
        "d",
        "first",
        "join",
        "last",
        "length",
        "count",
        "list",
        "lower",
        "replace",
        "reverse",
        "round",
        "sort",
        "string",
        "title",
        "trim",
        "truncate",
        "unique",
        "upper",
        "wordcount",
    ]
)
_WIDE_FORMAT = re.compile(r"%[-+ #0]*(?:\*|\d{3,})")


def _small_range(*args: int) -> range:
    values = range(*args)
    if len(values) > MAX_RANGE:
        raise SecurityError(f"range() may give at most {MAX_RANGE} numbers")
    return values


class _MessageSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr not in _STR_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> None:
        # No str.format / format_map at all: their padding widths could fill the memory.
        return None

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        budget = current()
        budget.tick()
        if operator == "*":
            sized = [x for x in (left, right) if isinstance(x, str | list | tuple)]
            if sized:
                count = right if sized[0] is left else left
                if not isinstance(count, int) or count * len(sized[0]) > MAX_OUTPUT:
                    raise SecurityError("that repetition is too long for a message")
                if not isinstance(sized[0], str):
                    check_items(count * len(sized[0]))
            elif max(abs(left), abs(right)) > 10**12:
                raise SecurityError("numbers that large have no place in a message")
        elif operator == "**":
            if abs(left) > 10**6 or not 0 <= right <= 64:
                raise SecurityError("powers that large have no place in a message")
        elif operator == "%" and isinstance(left, str):
            if _WIDE_FORMAT.search(left):
                raise SecurityError("format widths that large have no place in a message")
            check_length(len(left) + text_length(right))
        elif operator == "+" and isinstance(left, str) and isinstance(right, str):
            check_length(len(left) + len(right))
        elif operator == "+" and isinstance(left, list | tuple) and isinstance(right, list | tuple):
            check_items(len(left) + len(right))
        return budget.spend(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(__obj, "__self__", None) is __self:  # the render's own guards
            return __context.call(__obj, *args, **kwargs)
        budget = current()
        budget.tick()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and getattr(__obj, "__name__", "") == "replace" and args:
            check_length(replaced_length(owner, *args[:3]))
        return budget.spend(super().call(__context, __obj, *args, **kwargs))

    def getitem(self, obj: Any, argument: Any) -> Any:
        budget = current()
        budget.tick()
        value = super().getitem(obj, argument)
        return budget.spend(value) if isinstance(argument, slice) else value

    def getattr(self, obj: Any, attribute: str) -> Any:
        current().tick()
        return super().getattr(obj, attribute)

    # Called from the compiled template (see _Guards): loop steps, `~`, and output.

    def guard_loop(self, iterable: Iterable[Any]) -> Iterator[Any]:
        budget = current()
        for item in iterable:
            budget.tick()
            yield item

    def guard_concat(self, parts: tuple[Any, ...]) -> str:
        budget = current()
        budget.tick()
        texts = [text(part) for part in parts]
        check_length(sum(len(t) for t in texts))
        return str(budget.spend("".join(texts)))

    def guard_output(self, value: Any) -> str:
        # Every piece of output counts, also inside `{% set %}` and `{% filter %}` blocks,
        # whose pieces are joined into one string only at the end of the block.
        budget = current()
        budget.tick()
        return str(budget.spend(text(value)))


class _Guards(NodeTransformer):
    """Route the steps the sandbox does not see through it: each loop step, each `~` and
    each piece of output (constant text included) call the environment's guards."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        if node.recursive:
            raise TemplateProblem("may not use recursive loops", line=node.lineno)
        self.generic_visit(node)
        node.iter = self._call("guard_loop", node.iter, node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        parts = nodes.Tuple(node.nodes, "load", lineno=node.lineno)
        return self._call("guard_concat", parts, node.lineno)

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [self._call("guard_output", child, child.lineno) for child in node.nodes]
        return node

    @staticmethod
    def _call(guard: str, arg: nodes.Expr, lineno: int) -> nodes.Call:
        return nodes.Call(
            nodes.EnvironmentAttribute(guard, lineno=lineno), [arg], [], None, None, lineno=lineno
        )


_env = _MessageSandbox(
    undefined=StrictUndefined,
    autoescape=False,  # the output is Markdown, sanitized when it becomes HTML
    keep_trailing_newline=False,
)
_env.globals.clear()
_env.globals["range"] = _small_range
_env.filters = {name: guard_filter(name, f) for name, f in _env.filters.items() if name in _FILTERS}


def _check_shape(tree: nodes.Template) -> None:
    for node in tree.find_all((nodes.Macro, nodes.CallBlock)):
        raise TemplateProblem("may not define macros or call blocks", line=node.lineno)

    def depth(node: nodes.Node, level: int) -> None:
        for child in node.iter_child_nodes():
            inner = level + 1 if isinstance(child, nodes.For) else level
            if inner > MAX_LOOP_DEPTH:
                raise TemplateProblem(
                    f"may nest loops at most {MAX_LOOP_DEPTH} deep", line=child.lineno
                )
            depth(child, inner)

    depth(tree, 0)


def _template_line(tb: TracebackType | None) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# ---------------------------------------------------------------- rendering


def render_text(source: str, context: dict[str, Any], *, field: str = "body") -> str:
    """Render `source` with `context` in the sandbox within the budget, or raise
    TemplateProblem. Runs where it is called: from async code, use `render_pool.render`."""
    if len(source) > MAX_SOURCE:
        raise TemplateProblem(f"is longer than {MAX_SOURCE} characters", line=None, field=field)
    # Set before parsing: compiling folds constant expressions, which runs filters too.
    token = start()
    try:
        return _render(source, context, field)
    finally:
        stop(token)


def _render(source: str, context: dict[str, Any], field: str) -> str:
    try:
        tree = _env.parse(source)
        _check_shape(tree)
        _Guards().visit(tree)
        template = _env.from_string(tree)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(
            exc.message or "has a syntax error", line=exc.lineno, field=field
        ) from None
    except TemplateProblem as exc:
        raise TemplateProblem(exc.message.split(": ", 1)[-1], line=exc.line, field=field) from None
    except OverBudget as exc:
        raise TemplateProblem(str(exc), line=None, field=field) from None
    try:
        output = _render_bounded(template, context)
    except OverBudget as exc:
        raise TemplateProblem(
            str(exc), line=_template_line(exc.__traceback__), field=field
        ) from None
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
    except (
        TypeError,
        ValueError,
        ArithmeticError,
        LookupError,
        AttributeError,
        RecursionError,
        MemoryError,
    ) as exc:
        raise TemplateProblem(
            f"{type(exc).__name__}: {exc}", line=_template_line(exc.__traceback__), field=field
        ) from None
    if output is None:
        raise TemplateProblem(
            f"renders to more than {MAX_OUTPUT} characters", line=None, field=field
        )
    return output.strip()


def _render_bounded(template: Template, context: dict[str, Any]) -> str | None:
    """The rendering, or None as soon as it grows past MAX_OUTPUT (never built in full)."""
    parts, size = [], 0
    for chunk in template.generate(**context):
        size += len(chunk)
        if size > MAX_OUTPUT:
            return None
        parts.append(chunk)
    return "".join(parts)
