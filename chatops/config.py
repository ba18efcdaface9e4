"""Settings, built once from the environment (and an optional YAML file) into a frozen tree.

Nothing else in the service reads ``os.environ``: settings are handed to the
pieces that need them. Each field declares its environment variable and a help
text, so the configuration reference is generated from this module.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from chatops.errors import ConfigError


def setting(default: Any, env: str, help: str) -> Any:
    """A settings field: its default, its environment variable and what it means."""
    if isinstance(default, (list, dict, set)):
        raise TypeError("use a tuple for sequence defaults")
    return field(default=default, metadata={"env": env, "help": help})


@dataclass(frozen=True)
class ServerSettings:
    host: str = setting("127.0.0.1", "CHATOPS_HOST", "Address the HTTP server binds to.")
    port: int = setting(8080, "CHATOPS_PORT", "Port the HTTP server listens on.")
    max_body_bytes: int = setting(1_048_576, "CHATOPS_MAX_BODY_BYTES", "Largest accepted request body; larger gets 413.")
    max_utterance_chars: int = setting(2000, "CHATOPS_MAX_UTTERANCE", "Longest accepted utterance; longer gets 400.")
    api_tokens: tuple[str, ...] = setting((), "CHATOPS_API_TOKENS", "Comma-separated bearer tokens for the REST API (empty: open).")
    widget_tokens: tuple[str, ...] = setting(
        (), "CHATOPS_WIDGET_TOKENS",
        "API tokens embedded in web pages for the widget; start-up warns when the policy lets one change anything.",
    )
    widget_origins: tuple[str, ...] = setting(
        (), "CHATOPS_WIDGET_ORIGINS",
        "Comma-separated origins (scheme://host[:port]) whose pages may embed the widget: CORS on /api/v1/query "
        "and the page's frame-ancestors. Empty: only this service's own page.",
    )
    log_level: str = setting("INFO", "CHATOPS_LOG_LEVEL", "Log level.")
    workers: int = setting(
        0, "CHATOPS_WORKERS", "Server processes sharing the port (`serve --workers`); 0: one per core. An in-memory store runs one."
    )
    demo: bool = setting(
        False, "CHATOPS_DEMO",
        "Serve the demo page at / (`chatops demo` sets it): a demo banner, every reply labelled as a demo, suggested messages.",
    )
    shutdown_seconds: float = setting(
        25.0, "CHATOPS_SHUTDOWN_TIMEOUT", "On SIGTERM, how long in-flight requests may take to finish before they are cut."
    )


@dataclass(frozen=True)
class EngineSettings:
    agent_dir: str = setting("", "CHATOPS_AGENT", "Agent folder (intents/ and entities/); empty: the bundled agent.")
    model_path: str = setting("", "CHATOPS_MODEL", "Trained model file to load; empty: train at start-up.")
    confidence_threshold: float = setting(0.3, "CHATOPS_THRESHOLD", "Below this confidence the fallback intent answers.")
    session_idle_seconds: int = setting(1200, "CHATOPS_SESSION_IDLE", "A session idle this long loses its contexts.")
    job_lease_seconds: float = setting(60.0, "CHATOPS_JOB_LEASE", "A replica's lease on a running job; another takes over after it.")
    handlers: tuple[str, ...] = setting(
        ("reddit", "prices", "pods", "certs", "velero", "secrets"),
        "CHATOPS_HANDLERS",
        "Comma-separated handler tables to load.",
    )


@dataclass(frozen=True)
class StoreSettings:
    url: str = setting("sqlite:///chatops.db", "CHATOPS_STORE", "State store: sqlite:///PATH, sqlite:///:memory: or mongodb://...")
    timeout_seconds: float = setting(5.0, "CHATOPS_STORE_TIMEOUT", "Bound on one store operation.")


@dataclass(frozen=True)
class SecuritySettings:
    policy_file: str = setting("", "CHATOPS_POLICY", "Access policy YAML; empty: infrastructure actions are denied.")
    confirm_ttl_seconds: int = setting(300, "CHATOPS_CONFIRM_TTL", "A pending confirmation expires after this long.")
    admin_tokens: tuple[str, ...] = setting((), "CHATOPS_ADMIN_TOKENS", "Bearer tokens allowed to read the audit endpoint.")
    seal_key: str = setting(
        "", "CHATOPS_SEAL_KEY", "Fernet key sealing secret parameters of pending confirmations in the store; empty: one per process."
    )


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str = setting("", "SLACK_BOT_TOKEN", "Bot token (xoxb-...); empty disables Slack.")
    signing_secret: str = setting("", "SLACK_SIGNING_SECRET", "Signing secret for the Events API.")
    app_token: str = setting("", "SLACK_APP_TOKEN", "App-level token (xapp-...) for Socket Mode.")
    socket_mode: bool = setting(False, "CHATOPS_SLACK_SOCKET_MODE", "Use Socket Mode instead of the Events API over HTTP.")
    api_base_url: str = setting("https://slack.com/api/", "CHATOPS_SLACK_API_URL", "Slack Web API base URL (ends with /).")


@dataclass(frozen=True)
class DialogflowSettings:
    basic_user: str = setting("", "CHATOPS_DIALOGFLOW_USER", "HTTP basic auth user for the fulfillment webhook.")
    basic_password: str = setting("", "CHATOPS_DIALOGFLOW_PASSWORD", "HTTP basic auth password for the fulfillment webhook.")
    header_name: str = setting("", "CHATOPS_DIALOGFLOW_HEADER", "Shared header name for the fulfillment webhook.")
    header_value: str = setting("", "CHATOPS_DIALOGFLOW_HEADER_VALUE", "Shared header value for the fulfillment webhook.")
    deadline_seconds: float = setting(4.0, "CHATOPS_DIALOGFLOW_DEADLINE", "Answer 'I'm on it' after this long and go on as a job.")

    @property
    def authenticated(self) -> bool:
        """Whether the webhook has a credential, so that its caller can only be DialogFlow."""
        return bool(self.basic_user or self.basic_password or (self.header_name and self.header_value))


@dataclass(frozen=True)
class FulfillmentSettings:
    """The agent's own fulfillment webhook (outbound); each set value overrides the agent's agent.yaml."""

    url: str = setting("", "CHATOPS_FULFILLMENT_URL", "Fulfillment webhook URL; empty: the one agent.yaml (the ES export) names, if any.")
    username: str = setting("", "CHATOPS_FULFILLMENT_USER", "HTTP basic auth user sent to the fulfillment webhook.")
    password: str = setting("", "CHATOPS_FULFILLMENT_PASSWORD", "HTTP basic auth password sent to the fulfillment webhook.")
    headers: tuple[str, ...] = setting(
        (), "CHATOPS_FULFILLMENT_HEADERS", "Comma-separated 'Name: value' headers sent to the fulfillment webhook."
    )
    protocol: str = setting("", "CHATOPS_FULFILLMENT_PROTOCOL", "v2 or v1 WebhookRequest bodies; empty: as agent.yaml says (v2).")
    deadline_seconds: float = setting(5.0, "CHATOPS_FULFILLMENT_DEADLINE", "A webhook slower than this falls back to the static response (ES: 5 s).")
    permission: str = setting(
        "webhook:call", "CHATOPS_FULFILLMENT_PERMISSION",
        "Permission the policy must grant, on the action's name, for a webhook call; empty: open to everyone.",
    )
    confirm: tuple[str, ...] = setting(
        (), "CHATOPS_FULFILLMENT_CONFIRM", "Comma-separated action patterns (order.*) whose webhook call is confirmed first (the agent needs confirm.yes/no intents)."
    )


@dataclass(frozen=True)
class RedditSettings:
    base_url: str = setting("https://www.reddit.com", "CHATOPS_REDDIT_URL", "Reddit base URL for anonymous listings.")
    oauth_url: str = setting("https://oauth.reddit.com", "CHATOPS_REDDIT_OAUTH_URL", "Reddit API base URL with OAuth.")
    token_url: str = setting(
        "https://www.reddit.com/api/v1/access_token", "CHATOPS_REDDIT_TOKEN_URL", "Reddit OAuth token endpoint."
    )
    client_id: str = setting("", "REDDIT_CLIENT_ID", "App-only OAuth client id; empty: anonymous access.")
    client_secret: str = setting("", "REDDIT_CLIENT_SECRET", "App-only OAuth client secret.")
    user_agent: str = setting(
        "python:chatops:0.1.0 (ChatOps demo bot)", "CHATOPS_REDDIT_USER_AGENT", "User-Agent sent to Reddit."
    )
    joke_subreddits: tuple[str, ...] = setting(("jokes",), "CHATOPS_REDDIT_JOKES", "Subreddits for jokes.")
    fact_subreddits: tuple[str, ...] = setting(("todayilearned",), "CHATOPS_REDDIT_FACTS", "Subreddits for facts.")
    timeout_seconds: float = setting(5.0, "CHATOPS_REDDIT_TIMEOUT", "Timeout of one Reddit request.")
    cache_seconds: int = setting(600, "CHATOPS_REDDIT_CACHE", "How long a listing is cached.")


@dataclass(frozen=True)
class KubeSettings:
    kubeconfig: str = setting("", "KUBECONFIG", "Kubeconfig file; empty: ~/.kube/config or in-cluster.")
    contexts: tuple[str, ...] = setting((), "CHATOPS_KUBE_CONTEXTS", "Kubeconfig contexts the bot may use (empty: all).")
    default_cluster: str = setting("", "CHATOPS_KUBE_DEFAULT", "Cluster used when none is named.")
    in_cluster: bool = setting(False, "CHATOPS_KUBE_IN_CLUSTER", "Use the in-cluster service account config.")
    timeout_seconds: float = setting(10.0, "CHATOPS_KUBE_TIMEOUT", "Timeout of one Kubernetes API call.")
    page_size: int = setting(500, "CHATOPS_KUBE_PAGE_SIZE", "Objects asked for per list request (limit/continue paging).")
    table_rows: int = setting(20, "CHATOPS_KUBE_TABLE_ROWS", "Rows shown per pods table; 'show more' gives the next ones.")
    summary_max_pods: int = setting(50_000, "CHATOPS_KUBE_SUMMARY_MAX", "Most pods counted for a summary; beyond it the summary says so.")
    log_lines: int = setting(40, "CHATOPS_KUBE_LOG_LINES", "Default number of log lines shown (at most 500).")
    cert_renew_days: int = setting(30, "CHATOPS_CERT_RENEW_DAYS", "A webhook certificate is rotated when fewer days are left (unless forced).")
    cert_days: int = setting(365, "CHATOPS_CERT_DAYS", "Validity of a new webhook server certificate, in days.")
    cert_ca_days: int = setting(730, "CHATOPS_CERT_CA_DAYS", "Validity of a new webhook CA, in days.")
    cluster_domain: str = setting("cluster.local", "CHATOPS_KUBE_CLUSTER_DOMAIN",
                                  "DNS domain of the clusters' services, named in webhook server certificates.")
    velero_namespace: str = setting("velero", "CHATOPS_VELERO_NAMESPACE", "Namespace Velero runs in (Backups, Restores, locations).")
    velero_backup_ttl: str = setting("720h0m0s", "CHATOPS_VELERO_TTL", "ttl of migration backups.")
    velero_poll_seconds: float = setting(5.0, "CHATOPS_VELERO_POLL", "Pause between checks that a backup has synced into the target.")
    velero_sync_timeout_seconds: float = setting(
        900.0, "CHATOPS_VELERO_SYNC_TIMEOUT", "How long to wait for a backup to appear in the target cluster."
    )
    watch_seconds: int = setting(240, "CHATOPS_KUBE_WATCH", "Server-side timeout of one watch request; the watch is then renewed.")


@dataclass(frozen=True)
class AwsSettings:
    region: str = setting("us-east-1", "AWS_REGION", "AWS region for SSM.")
    endpoint_url: str = setting("", "CHATOPS_SSM_ENDPOINT", "SSM endpoint URL (a local server in tests).")
    access_key_id: str = setting("", "AWS_ACCESS_KEY_ID", "AWS access key id; empty: the default chain.")
    secret_access_key: str = setting("", "AWS_SECRET_ACCESS_KEY", "AWS secret access key.")
    ssm_attempts: int = setting(4, "CHATOPS_SSM_ATTEMPTS", "Tries of one SSM call when AWS throttles or fails (5xx).")
    ssm_backoff_seconds: float = setting(0.25, "CHATOPS_SSM_BACKOFF", "First retry delay for SSM; doubles each try, with jitter.")


@dataclass(frozen=True)
class PricesSettings:
    dataset: str = setting("windsor-housing", "CHATOPS_PRICES_DATASET", "Default data set for price prediction.")


@dataclass(frozen=True)
class ObservabilitySettings:
    log_format: str = setting("json", "CHATOPS_LOG_FORMAT", "Log lines as json (one object per line) or text.")
    jobs_cache_seconds: float = setting(10.0, "CHATOPS_METRICS_JOBS_CACHE", "How long /metrics reuses the job counts it read from the store.")
    metrics_token: str = setting("", "CHATOPS_METRICS_TOKEN", "Bearer token /metrics requires; empty: open (warned about off loopback).")


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    engine: EngineSettings = field(default_factory=EngineSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    dialogflow: DialogflowSettings = field(default_factory=DialogflowSettings)
    fulfillment: FulfillmentSettings = field(default_factory=FulfillmentSettings)
    reddit: RedditSettings = field(default_factory=RedditSettings)
    kube: KubeSettings = field(default_factory=KubeSettings)
    aws: AwsSettings = field(default_factory=AwsSettings)
    prices: PricesSettings = field(default_factory=PricesSettings)
    observability: ObservabilitySettings = field(default_factory=ObservabilitySettings)


def _convert(raw: Any, kind: Any, where: str) -> Any:
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{where}: expected true or false, got {raw!r}")
    if typing.get_origin(kind) is tuple:
        items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
        return tuple(str(item).strip() for item in items if str(item).strip())
    try:
        return kind(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: expected {kind.__name__}, got {raw!r}") from exc


def _build_group(cls: type, env: Mapping[str, str], file_values: Mapping[str, Any], group: str) -> Any:
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        var = f.metadata["env"]
        if var in env:
            values[f.name] = _convert(env[var], hints[f.name], var)
        elif f.name in file_values:
            values[f.name] = _convert(file_values[f.name], hints[f.name], f"{group}.{f.name}")
    unknown = set(file_values) - {f.name for f in dataclasses.fields(cls)}
    if unknown:
        raise ConfigError(f"settings file: unknown keys in {group}: {', '.join(sorted(unknown))}")
    return cls(**values)


def load_settings(env: Mapping[str, str] | None = None, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Settings:
    """Build the settings tree: defaults < settings file (CHATOPS_CONFIG) < environment < overrides."""
    env = dict(os.environ) if env is None else dict(env)
    file_data: dict[str, Any] = {}
    if env.get("CHATOPS_CONFIG"):
        path = Path(env["CHATOPS_CONFIG"])
        try:
            file_data = yaml.safe_load(path.read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"settings file {path}: {exc}") from exc
    groups: dict[str, Any] = {}
    for f in dataclasses.fields(Settings):
        cls = typing.get_type_hints(Settings)[f.name]
        group = _build_group(cls, env, file_data.get(f.name) or {}, f.name)
        if overrides and f.name in overrides:
            group = dataclasses.replace(group, **overrides[f.name])
        groups[f.name] = group
    return Settings(**groups)


def reference() -> list[tuple[str, str, str]]:
    """(environment variable, default, help) for every setting: the README's configuration table."""
    rows = []
    for group in dataclasses.fields(Settings):
        cls = typing.get_type_hints(Settings)[group.name]
        for f in dataclasses.fields(cls):
            default = ",".join(f.default) if isinstance(f.default, tuple) else str(f.default)
            rows.append((f.metadata["env"], default, f.metadata["help"]))
    return rows


def reference_markdown() -> str:
    """The configuration table as Markdown, as the README carries it."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    lines += [f"| `{env}` | {f'`{default}`' if default else ''} | {help} |" for env, default, help in reference()]
    return "\n".join(lines)


__all__ = ["Settings", "load_settings", "reference", "reference_markdown", "setting"]
