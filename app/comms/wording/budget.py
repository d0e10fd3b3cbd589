"""The budget of one template render: time, memory, and the size of what it makes.

A tone template is written by anyone with a responder key, so rendering one must not be
able to exhaust the server. The budget is enforced inside the render as it goes (the
sandbox calls `tick` and `spend` at every loop step, call, filter, operator, subscript and
piece of output), so a render that overspends stops itself:

- **time**: `MAX_SECONDS` of wall clock;
- **memory**: `MAX_WORK` bytes for all the strings and lists the render makes, counted as
  they are made (a string made and thrown away still counts);
- **size**: no string over `MAX_STRING` characters, no list over `MAX_ITEMS` items, and
  growth checked *before* it happens where it can be (`~`, `+`, `%`, `|replace`, `|join`,
  `|list`, `str.replace`), so a doubling never allocates the string that breaks the limit.
"""

from __future__ import annotations

import contextvars
import functools
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jinja2.sandbox import SecurityError

MAX_SECONDS = 1.0
MAX_WORK = 10_000_000  # bytes of strings and lists made while rendering
MAX_STRING = 1_000_000  # characters in any one string
MAX_ITEMS = 10_000  # items in any one list


class OverBudget(SecurityError):
    """The render went past a limit of its budget; the message names the limit."""


@dataclass
class Budget:
    deadline: float
    work: int = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise OverBudget(f"takes longer than {MAX_SECONDS:g} s to render")

    def spend(self, value: Any) -> Any:
        """Count a value the render made (returned as is); refuse one that breaks a limit."""
        if isinstance(value, str):
            check_length(len(value))
        elif isinstance(value, list | tuple | dict):
            check_items(len(value))
        else:
            return value
        self.work += sys.getsizeof(value)
        if self.work > MAX_WORK:
            raise OverBudget(f"makes more than {MAX_WORK // 1_000_000} MB of text while rendering")
        return value


def check_length(length: int) -> None:
    if length > MAX_STRING:
        raise OverBudget(f"makes a text longer than {MAX_STRING:,} characters")


def check_items(count: int) -> None:
    if count > MAX_ITEMS:
        raise OverBudget(f"makes a list longer than {MAX_ITEMS:,} items")


_budget: contextvars.ContextVar[Budget] = contextvars.ContextVar("template_budget")


def start() -> contextvars.Token[Budget]:
    """Give the render about to run here its budget (undo with `stop(token)`)."""
    return _budget.set(Budget(deadline=time.monotonic() + MAX_SECONDS))


def stop(token: contextvars.Token[Budget]) -> None:
    _budget.reset(token)


def current() -> Budget:
    try:
        return _budget.get()
    except LookupError:  # renders start one; nothing renders without it
        raise OverBudget("rendering without a budget") from None


def text_length(value: Any, limit: int = MAX_STRING) -> int:
    """An upper bound of len(str(value)), found without building it: a list's text is the
    repr of its items (up to 10 characters per character, for escapes). Stops counting
    past `limit`, so a deep or wide value costs no more than the limit to measure."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | tuple | dict | set | frozenset):
        total = 2
        items = value.items() if isinstance(value, dict) else value
        for item in items:
            for part in item if isinstance(value, dict) else (item,):
                size = len(part) * 10 + 2 if isinstance(part, str) else text_length(part, limit)
                total += size + 2
                if total > limit:
                    return total
        return total
    return len(str(value))  # numbers, booleans, None, ranges: short by construction


def text(value: Any) -> str:
    """`str(value)`, refused before it is built if it would be too long."""
    if isinstance(value, str):
        return value
    check_length(text_length(value))
    return str(value)


def replaced_length(source: str, old: Any, new: Any, count: Any = -1) -> int:
    """The length `source.replace(old, new, count)` would have."""
    old, new = text(old), text(new)
    times = source.count(old) if old else len(source) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    return len(source) + times * (len(new) - len(old))


# Filters that turn their input into text first.
_TEXT_FILTERS = frozenset(
    {"capitalize", "lower", "replace", "string", "title", "trim", "truncate", "upper", "wordcount"}
)


def guard_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` (the Jinja filter `name`) checked against the render's budget."""
    # Jinja passes an environment or eval context first to some filters (`jinja_pass_arg`,
    # copied over by functools.wraps); the value filtered comes after it.
    skip = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget = current()
        budget.tick()
        value, rest = args[skip], args[skip + 1 :]
        if name in _TEXT_FILTERS:
            value = text(value)
        if name == "replace" and len(rest) >= 2:
            check_length(replaced_length(value, *rest[:3]))
        elif name == "join":
            items = value = list(value)
            check_items(len(items))
            glue = text(rest[0]) if rest else text(kwargs.get("d", ""))
            check_length(sum(text_length(item) for item in items) + len(glue) * len(items))
        elif name == "list" and isinstance(value, str | list | tuple | dict):
            check_items(len(value))
        return budget.spend(function(*args[:skip], value, *rest, **kwargs))

    return guarded
