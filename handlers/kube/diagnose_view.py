"""How a diagnosis reads in chat: one message, per pod the cause, what to look at next, its events and log lines,
and a "show logs" button (a card, which Slack renders as Block Kit) that asks for the pod's log."""

from __future__ import annotations

from datetime import datetime, timezone

from chatops.fulfillment import Button, Card
from handlers.kube.diagnosis import Obj
from handlers.kube.examine import LogTail, PodReport, Target, event_time
from handlers.kube.podview import age

SHOW_LOGS = "show logs"


def heading(target: Target, cluster: str, *, shown: int) -> str:
    if target.one_pod:
        return f"Pod {target.what.removeprefix('pod ')} on {cluster}:"
    failing = len(target.pods)
    if not failing:
        if not target.total:
            return f"There are no pods in {target.what} on {cluster}."
        return f"Nothing is failing in {target.what} on {cluster}: {target.total} pod{'' if target.total == 1 else 's'}, " \
               "all running and ready or completed."
    line = f"{failing} of {target.total} pod{'' if target.total == 1 else 's'} in {target.what} on {cluster} failing"
    return line + (f"; the first {shown}:" if shown < failing else ":")


def report_text(report: PodReport, *, now: datetime | None = None) -> str:
    """One pod's section: cause, next step, events, log tail."""
    lines = [f"*{report.namespace}/{report.name}*: {report.finding.cause}."]
    if report.finding.healthy:
        return lines[0]
    lines.append(f"Look next at {report.finding.next_step}.")
    moment = now or datetime.now(timezone.utc)
    if report.events:
        lines.append("Recent events:")
        lines += [_event_line(event, moment) for event in report.events]
    else:
        lines.append("No recent events (the API server keeps them for an hour by default).")
    if report.log is not None:
        lines.append(_log_text(report.log))
    return "\n".join(lines)


def _event_line(event: Obj, now: datetime) -> str:
    count = int(event.get("count") or (event.get("series") or {}).get("count") or 1)
    times = f" (x{count})" if count > 1 else ""
    return f"• {age(event_time(event), now)} ago {event.get('type') or 'Normal'} {event.get('reason') or ''}{times}: " \
           f"{event.get('message') or ''}"


def _log_text(log: LogTail) -> str:
    which = f"the {log.container} container before its last restart" if log.previous else f"the {log.container} container"
    if log.unavailable:
        return f"The log of {which} is not available ({log.unavailable})."
    body = "\n".join(log.lines) or "(empty)"
    return f"Last {len(log.lines)} log lines of {which}:\n```\n{body}\n```"


def logs_card(report: PodReport, cluster: str) -> Card:
    """The "show logs" button: its click says the pods.logs request for this pod."""
    container = f" container {report.log.container}" if report.log else ""
    ask = f"show the logs of {report.name}{container} in {report.namespace} on {cluster}"
    return Card(title=f"{report.namespace}/{report.name}", buttons=(Button(SHOW_LOGS, postback=ask),))
