"""certs: check admission-webhook certificates, and rotate one webhook's certificate (with a dry-run plan)."""

from __future__ import annotations

import datetime as dt

from chatops.fulfillment import HandlerCall, HandlerTable, InputError, NotFoundError, PlanOnly, Reply
from handlers.kube import cluster_for, params, scope, use_clusters
from handlers.kube.certgen import dns_names, key_type
from handlers.kube.names import dns_subdomain, service_name
from handlers.kube.rotation import RotationPlan, Rotated, describe_ca, plan_rotation, rotate
from handlers.kube.webhooks import CertState, configurations, locate, read_state, targets

table = HandlerTable("certs")
use_clusters(table)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _state_line(state: CertState, now: dt.datetime, renew_days: int) -> str:
    target = state.target
    hooks = ", ".join(f"{e.kind} {e.configuration}/{e.webhook}" for e in target.entries)
    head = f"• service {target.name} ({hooks})" + ("" if target.service_found else " — the service does not exist")
    if state.secret is None:
        return f"{head}\n  Secret {target.secret}: not found"
    days = state.days_left(now)
    if days is None or state.server is None:
        return f"{head}\n  Secret {target.secret}: no readable tls.crt"
    flag = " — expired" if days < 0 else (" — rotate soon" if days < renew_days else "")
    newest = max((ca.not_valid_after_utc for ca in state.bundle_cas), default=None)
    bundle = (f"caBundle: {len(state.bundle_cas)} CA(s), newest expires {newest:%Y-%m-%d}" if newest else "caBundle: empty")
    return (f"{head}\n  Secret {target.secret}: expires {state.server.not_valid_after_utc:%Y-%m-%d} ({days:.0f} days left){flag}\n"
            f"  {bundle}; verifies the server certificate: {'yes' if state.verified else 'NO'}")


@table.action("certs.check", access="certs:check", resource=scope.cluster_wide)
async def certs_check(call: HandlerCall) -> Reply:
    """Every webhook configuration's services, their certificates' expiry and whether the caBundle verifies them."""
    only = dns_subdomain(params.text(call, "webhook"), "webhook configuration name") if params.text(call, "webhook") else ""
    cluster = await cluster_for(call)
    kube, now = call.settings.kube, _now()
    configs = await configurations(cluster, kube.page_size)
    if only and only not in {config["metadata"]["name"] for _, config in configs}:
        raise NotFoundError(f"No webhook configuration called {only} on {cluster.name}.")
    services, by_url = targets([(kind, config) for kind, config in configs if only in ("", config["metadata"]["name"])])
    if not services and not by_url:
        return Reply(text=f"There are no admission webhooks on {cluster.name}.")
    lines, data = [f"Webhook certificates{f' of {only}' if only else ''} on {cluster.name}:"], []
    for target in services:
        await locate(cluster, target)
        state = await read_state(cluster, target, now)
        lines.append(_state_line(state, now, kube.cert_renew_days))
        data.append({"service": target.name, "secret": target.secret, "days_left": state.days_left(now),
                     "verified": state.verified, "configurations": [name for _, name in target.configurations]})
    lines += [f"• {e.kind} {e.configuration}/{e.webhook} calls a URL; its certificate is not in this cluster" for e in by_url]
    return Reply(text="\n".join(lines), data={"cluster": cluster.name, "services": data})


async def _plan(call: HandlerCall) -> RotationPlan:
    configuration = dns_subdomain(params.text(call, "webhook"), "webhook configuration name")
    key = key_type(params.text(call, "algorithm", "ec"))
    service = service_name(params.text(call, "service")) if params.text(call, "service") else None
    namespace = params.namespace(call) if params.text(call, "namespace") else None
    cluster = await cluster_for(call)
    plan = await plan_rotation(cluster, configuration, key=key, force=params.flag(call, "force"),
                               restart=params.flag(call, "restart"), settings=call.settings.kube, now=_now())
    if service or namespace:
        chosen = [p for p in plan.targets if service in (None, p.state.target.service) and namespace in (None, p.state.target.namespace)]
        if not chosen:
            calls = ", ".join(p.state.target.name for p in plan.targets)
            raise InputError(f"{configuration} does not call {namespace or '*'}/{service or '*'}; it calls {calls}.")
        plan.targets = chosen
    return plan


def _plan_text(plan: RotationPlan, call: HandlerCall) -> str:
    kube = call.settings.kube
    lines = [f"Plan to rotate the certificate of webhook configuration {plan.configuration} on {plan.cluster} "
             "(dry run; nothing changed yet):"]
    for part in plan.targets:
        target = part.state.target
        lines.append(f"• service {target.name}: {part.why}" + ("" if part.due else " — not due, skipped"))
        if not part.due:
            continue
        entries = ", ".join(f"{e.kind} {e.configuration}/{e.webhook}" for e in target.entries)
        lines.append(f"  - new {plan.key} CA ({kube.cert_ca_days} days) and server certificate ({kube.cert_days} days) "
                     f"for {', '.join(dns_names(target.service, target.namespace, kube.cluster_domain))}")
        lines.append(f"  - caBundle on {len(target.entries)} entr{'y' if len(target.entries) == 1 else 'ies'} ({entries}), "
                     "keeping the CA the service uses now beside the new one")
        lines.append(f"  - Secret {target.namespace}/{target.secret}: "
                     + ("update" if part.state.secret is not None else "create") + " tls.crt, tls.key, ca.crt")
        if plan.restart:
            lines.append(f"  - Deployment {target.namespace}/{target.deployment}: rollout restart" if target.deployment
                         else "  - no Deployment found behind the service: nothing to restart")
    return "\n".join(lines)


async def certs_rotate_plan(call: HandlerCall) -> Reply:
    """The plan shown before asking to confirm; on a dry run the plan alone; refuses when nothing is due."""
    plan = await _plan(call)
    if params.flag(call, "dry_run"):
        return PlanOnly(text=_plan_text(plan, call), data=_plan_data(plan))
    if not plan.due:
        raise InputError(_plan_text(plan, call) + f"\nNothing is due (rotation happens under "
                         f"{call.settings.kube.cert_renew_days} days left); say \"force\" to rotate anyway.")
    return Reply(text=_plan_text(plan, call), data=_plan_data(plan))


def _plan_data(plan: RotationPlan) -> dict[str, object]:
    return {"cluster": plan.cluster, "configuration": plan.configuration, "services": [p.state.target.name for p in plan.due]}


def _done_line(done: Rotated) -> str:
    target = done.target
    kept = "; kept previous CA " + ", ".join(describe_ca(ca) for ca in done.kept) if done.kept else ""
    return (f"• {target.name}: new certificate until {done.server.not_valid_after_utc:%Y-%m-%d}, CA {describe_ca(done.ca)}{kept}; "
            f"Secret {target.secret} {'created' if done.secret_created else 'updated'}; caBundle patched on "
            f"{len(target.entries)} entr{'y' if len(target.entries) == 1 else 'ies'}"
            + (f"; Deployment {target.deployment} restarting" if done.restarted else "")
            + ("" if done.verified else "; WARNING: the new bundle does not verify the new certificate"))


@table.action("certs.rotate", access="certs:rotate", confirm=True, plan=certs_rotate_plan, resource=scope.cluster_wide)
async def certs_rotate(call: HandlerCall) -> Reply:
    """Rotate the webhook's certificate: runs for real only once confirmed; otherwise answers with the plan."""
    if not call.confirmed or params.flag(call, "dry_run"):
        return Reply(text=_plan_text(await _plan(call), call))
    plan = await _plan(call)  # read again: things may have changed while the confirmation was pending
    if not plan.due:
        return Reply(text=f"Nothing to rotate for {plan.configuration} on {plan.cluster} any more: "
                     + "; ".join(p.why for p in plan.targets))
    results = await rotate(await cluster_for(call), plan, settings=call.settings.kube, now=_now())
    lines = [f"Rotated the certificate of webhook configuration {plan.configuration} on {plan.cluster} ({plan.key}):"]
    lines += [_done_line(done) for done in results]
    return Reply(text="\n".join(lines), data={
        "cluster": plan.cluster, "configuration": plan.configuration,
        "rotated": [{"service": d.target.name, "secret": d.target.secret, "not_after": d.server.not_valid_after_utc.isoformat(),
                     "kept_cas": len(d.kept), "restarted": d.restarted, "verified": d.verified} for d in results]})
