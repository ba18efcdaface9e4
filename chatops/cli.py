"""The command line: ``chatops serve | demo | shell | check`` (and the NLU and agent tools)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import sys
from typing import Sequence

from chatops.config import Settings, load_settings
from chatops.errors import ChatOpsError
from chatops.security.audit_view import add_audit_arguments


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings()
    engine, store, server = settings.engine, settings.store, settings.server
    if getattr(args, "agent", None):
        engine = dataclasses.replace(engine, agent_dir=args.agent)
    if getattr(args, "store", None):
        store = dataclasses.replace(store, url=args.store)
    if getattr(args, "host", None):
        server = dataclasses.replace(server, host=args.host)
    if getattr(args, "port", None):
        server = dataclasses.replace(server, port=args.port)
    if getattr(args, "workers", None) is not None:
        server = dataclasses.replace(server, workers=args.workers)
    return dataclasses.replace(settings, engine=engine, store=store, server=server)


def cmd_serve(args: argparse.Namespace) -> int:
    from chatops.observability.logging import configure_logging
    from chatops.server import serve
    from chatops.workers import run_workers, worker_count

    settings = _settings(args)
    configure_logging(level=settings.server.log_level, fmt=settings.observability.log_format)
    count = worker_count(settings)
    if count > 1:
        return run_workers(settings, count)
    serve(settings)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from chatops.demo.run import run_demo
    from chatops.observability.logging import configure_logging

    configure_logging(level="WARNING", fmt="text")
    asyncio.run(run_demo(args.port))
    return 0


def cmd_shell(args: argparse.Namespace) -> int:
    from chatops.shell import run_shell

    # Only errors: warnings (Reddit unreachable, say) are already said in the chat itself.
    logging.basicConfig(level=logging.ERROR, format="(%(levelname)s %(name)s: %(message)s)")
    return asyncio.run(run_shell(_settings(args), user=args.user, stdin=sys.stdin, stdout=sys.stdout))


def cmd_check(args: argparse.Namespace) -> int:
    from chatops.engine.fulfillment_check import check_fulfillment
    from chatops.engine.loader import load_agent
    from chatops.fulfillment.registry import Registry
    from chatops.fulfillment.webhook_client import WebhookTarget
    from chatops.runtime import BUILTIN_ACTIONS
    from handlers import load_tables

    settings = _settings(args)
    registry = Registry(load_tables(settings.engine.handlers))
    agent = load_agent(settings.engine.agent_dir or None)
    target = WebhookTarget.resolve(agent.webhook, settings.fulfillment)
    report = check_fulfillment(agent, set(registry.actions) | BUILTIN_ACTIONS, has_url=target is not None)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    phrases = sum(len(i.phrases) for i in agent.intents.values())
    print(f"agent {agent.name}: {len(agent.intents)} intents, {len(agent.entities)} entities, {phrases} training phrases, "
          f"{len(registry.actions)} actions registered, {len(report.webhook)} intents fulfilled by the webhook")
    if report.webhook:
        print(f"webhook-fulfilled: {', '.join(sorted(report.webhook))}")
    if agent.languages:
        counts = (f"{code} {sum(len(i.phrases) for i in agent.for_language(code).intents.values())}"
                  for code in (agent.language, *agent.languages))
        print(f"training phrases by language (the first is the default): {', '.join(counts)}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from chatops.security.audit_view import audit_command
    from chatops.store import create_store

    async def run() -> str:
        store = create_store(_settings(args).store)
        await store.open()
        try:
            return await audit_command(args, store)
        finally:
            await store.close()

    print(asyncio.run(run()))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from chatops.engine.nlu.commands import run_eval

    threshold = args.threshold if args.threshold is not None else _settings(args).engine.confidence_threshold
    return run_eval(args.data, json_output=args.json, predictions=args.predictions, threshold=threshold, out=sys.stdout)


def cmd_train(args: argparse.Namespace) -> int:
    from chatops.engine.nlu.commands import run_train

    return run_train(args.agent, args.out, out=sys.stdout)


def cmd_import_dialogflow(args: argparse.Namespace) -> int:
    from chatops.engine.dialogflow.commands import run_import_dialogflow

    return run_import_dialogflow(args.source, args.out, stdout=sys.stdout, stderr=sys.stderr)


def cmd_export_dialogflow(args: argparse.Namespace) -> int:
    from chatops.engine.dialogflow.commands import run_export_dialogflow

    return run_export_dialogflow(args.agent, args.out, stdout=sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatops", description="Operate your infrastructure by chatting.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP service (API, webhooks, web widget)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--agent", help="agent folder (default: the bundled agent)")
    serve.add_argument("--store", help="store URL, e.g. sqlite:///chatops.db or mongodb://host/db")
    serve.add_argument("--workers", type=int, help="server processes sharing the port (default: one per core)")
    serve.set_defaults(run=cmd_serve)

    demo = commands.add_parser("demo", help="run the service against local stand-in clusters, Velero and SSM")
    demo.add_argument("--port", type=int, default=8080)
    demo.set_defaults(run=cmd_demo)

    shell = commands.add_parser("shell", help="chat in the terminal, no server needed")
    shell.add_argument("--agent")
    shell.add_argument("--store", default="sqlite:///:memory:")
    shell.add_argument("--user", default="local", help="the principal you chat as")
    shell.set_defaults(run=cmd_shell)

    check = commands.add_parser("check", help="validate an agent and print its counts")
    check.add_argument("--agent")
    check.set_defaults(run=cmd_check)

    evaluate = commands.add_parser("eval", help="train on a data set's train half and score its test half")
    evaluate.add_argument("data", help="evaluation set (JSON: train and test examples)")
    evaluate.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    evaluate.add_argument("--predictions", help="write one JSON line per test example here")
    evaluate.add_argument("--threshold", type=float, help="below this confidence, answer the fallback (default: CHATOPS_THRESHOLD)")
    evaluate.set_defaults(run=cmd_eval)

    train = commands.add_parser("train", help="train the NLU on an agent and write a model file")
    train.add_argument("--agent")
    train.add_argument("--out", required=True, help="model file to write (load it with CHATOPS_MODEL)")
    train.set_defaults(run=cmd_train)

    imports = commands.add_parser("import-dialogflow", help="convert a DialogFlow ES export into an agent folder")
    imports.add_argument("source", help="the export: a .zip or a folder")
    imports.add_argument("--out", required=True, help="agent folder to write")
    imports.set_defaults(run=cmd_import_dialogflow)

    exports = commands.add_parser("export-dialogflow", help="write an agent as a DialogFlow ES export zip")
    exports.add_argument("--agent")
    exports.add_argument("--out", required=True, help="zip file to write")
    exports.set_defaults(run=cmd_export_dialogflow)

    audit = commands.add_parser("audit", help="read the audit log")
    audit.add_argument("--store", help="store URL (default: CHATOPS_STORE)")
    add_audit_arguments(audit)
    audit.set_defaults(run=cmd_audit)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except ChatOpsError as exc:
        print(f"chatops: {exc.user_message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
