"""An import as text for a terminal: the plan's lines, and a progress bar while writing."""

from __future__ import annotations

from typing import TextIO

from app.statuspage.importer.plan import CREATE, ImportPlan

_MARK = {"create": "+", "update": "~"}


def text_report(plan: ImportPlan) -> str:
    """What a person reads after `tidings import statuspage`: a dry run lists every step."""
    page = plan.page
    title = page.name or page.url
    lines = [
        f"Statuspage page: {title} ({page.url}" + (f", id {page.page_id})" if page.page_id else ")")
    ]
    if plan.dry_run:
        for step in plan.changes:
            extra = []
            if step.new_updates:
                extra.append(f"{step.new_updates} new update{'s' if step.new_updates != 1 else ''}")
            if step.changed_updates:
                extra.append(f"{step.changed_updates} changed")
            verb = "would create" if step.verb == CREATE else "would update"
            suffix = f" ({', '.join(extra)})" if extra else ""
            lines.append(f"  {_MARK[step.verb]} {verb} {step.kind} {step.name!r}{suffix}")
    if plan.notes:
        lines.append("Adjusted on the way in:")
        lines += [f"  - {problem.describe()}" for problem in plan.notes]
    if plan.skipped:
        lines.append("Not imported:")
        lines += [f"  - {problem.describe()}" for problem in plan.skipped]
    verdict = "Dry run, nothing was written. Would import: " if plan.dry_run else "Imported: "
    lines.append(verdict + plan.summary())
    return "\n".join(lines)


class ProgressBar:
    """`[#######.........]  120/360` redrawn in place; for a terminal only (the caller checks
    `isatty`), so logs and pipes get the summary alone."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        filled = self.width * done // total if total else self.width
        if filled == self._last and done != total:
            return
        self._last = filled
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\rImporting [{bar}] {done:,}/{total:,}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()
