"""Settings from environment variables, with embedded defaults (a SQLite file in ./data)."""

from __future__ import annotations

import ipaddress
import math
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activecrowds_ml.consensus import GOLD_CONFIDENCE, GOLD_MIN_ACCURACY, GOLD_MIN_ANSWERS
from activecrowds_ml.errors import ValidationError

PREFIX = "ACTIVECROWDS_"
TOKEN_FILE = "admin_token"
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000  # where `activecrowds serve` listens by default


@dataclass(frozen=True)
class Settings:
    """Everything bootstrap needs to wire the application."""

    data_dir: Path
    database_url: str
    admin_token: str
    admin_token_generated: bool = False  # True: read from or written to the data dir
    device: str = "auto"  # where rounds train: auto (CUDA when present), cpu, cuda
    redis_url: str | None = None  # set: Redis event bus, Dramatiq queue, separate workers
    round_retries: int = 3  # Dramatiq retries of a failing round before the task is FAILED
    retry_backoff_ms: int = 5000  # first retry's delay; doubles each time
    round_lease_s: float = 60.0  # a running round is someone's for this long (renewed meanwhile)
    resend_after_s: float = 60.0  # the outbox relay re-sends a round still not started by then
    read_timeout_s: float = 10.0  # time a client has for its request headers, again for its body
    max_connections: int = 2048  # open connections (HTTP and WebSocket) per server process
    ws_init_timeout_s: float = 5.0  # a WebSocket must send connection_init within this
    max_query_cost: int = 50_000  # nodes one request may ask for (lists times their sizes)
    query_cost_per_minute: int = 1_000_000  # nodes one caller may ask for per minute
    parse_ms_per_minute: int = 1000  # CPU time one caller's new documents may take to prepare
    trusted_documents: Path | None = None  # manifest {sha256: document} the clients' builds made
    trusted_documents_only: bool = False  # refuse every document not in the manifest
    public_url: str | None = None  # where clients reach the server; None: where `serve` listens
    graphiql: bool = True  # GraphiQL and schema introspection; turn off in production
    # Peers (IPs or CIDRs) whose X-Forwarded-For names the client; nobody's by default.
    trusted_proxies: tuple[str, ...] = ()
    # Web origins (scheme://host[:port]) whose pages may call the API from a browser: a console
    # or app build hosted elsewhere. None by default: the server's own pages need no CORS.
    cors_origins: tuple[str, ...] = ()
    # Per minute, counted across replicas in Redis when it is configured; 0: unlimited.
    registrations_per_minute: int = 10  # registerAnnotator per client address
    mutations_per_minute: int = 600  # mutations per token
    address_mutations_per_minute: int = 1200  # mutations per client address, token or not
    submissions_per_minute: int = 120  # submitAnswers per token
    open_registration: bool = False  # registerAnnotator without an invite
    token_ttl_days: float = 90.0  # an annotator token's life; 0: tokens never expire
    gold_min_answers: int = GOLD_MIN_ANSWERS  # gold answers before an annotator is judged
    gold_min_accuracy: float = GOLD_MIN_ACCURACY  # the least gold accuracy, in [0, 1]
    # Where each round's model is stored (a mounted object store works); None: <data dir>/models.
    models_path: Path | None = None
    models_keep: int = 5  # newest models kept per task (the newest and the best always stay)
    gold_confidence: float = GOLD_CONFIDENCE  # how sure a suspension must be, in (0, 1)
    # Uploads (datasets, samples for a running task, images to classify): streamed to disk.
    upload_max_mb: int = 1024  # one dataset or samples upload, as sent
    unpacked_max_mb: int = 4096  # what an uploaded archive may unpack to (zip bombs)
    upload_max_files: int = 100_000  # files in one dataset or samples upload
    classify_max_mb: int = 64  # one classify request
    classify_max_files: int = 64  # images or texts in one classify request

    @property
    def retry_wait_s(self) -> float:
        """The longest backoff before a retry (Dramatiq doubles it per retry), plus a margin."""
        longest = self.retry_backoff_ms * 2 ** max(0, self.round_retries - 1) / 1000
        return min(longest, 300.0) + self.resend_after_s

    @property
    def base_url(self) -> str:
        """The start of the URLs the server hands out (media): never a request's Host header,
        which any client may set to an address of its choosing."""
        return self.public_url or local_url(DEFAULT_HOST, DEFAULT_PORT)

    @property
    def datasets_dir(self) -> Path:
        """Where a dataset given by name (not path) is looked up."""
        return self.data_dir / "datasets"

    @property
    def models_dir(self) -> Path:
        """Round models (ACTIVECROWDS_MODELS_DIR), by default in the data dir."""
        return self.models_path or self.data_dir / "models"

    @property
    def cache_dir(self) -> Path:
        """Backbone feature caches shared by every task's rounds."""
        return self.data_dir / "cache"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from `env` (default: os.environ); creates the data dir if missing."""
    env = os.environ if env is None else env
    data_dir = Path(env.get(PREFIX + "DATA_DIR") or "data").expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    url = async_url(
        env.get(PREFIX + "DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'activecrowds.db'}"
    )
    token = env.get(PREFIX + "ADMIN_TOKEN")
    generated = not token
    if not token:
        token = _stored_admin_token(data_dir)
    device = env.get(PREFIX + "DEVICE") or "auto"
    return Settings(
        data_dir,
        url,
        token,
        generated,
        device,
        redis_url=env.get(PREFIX + "REDIS_URL") or None,
        round_retries=int(_number(env, "ROUND_RETRIES", 3)),
        retry_backoff_ms=int(_number(env, "RETRY_BACKOFF_MS", 5000)),
        round_lease_s=_number(env, "ROUND_LEASE_S", 60.0),
        resend_after_s=_number(env, "RESEND_AFTER_S", 60.0),
        **_edge_limits(env),
        public_url=_public_url(env),
        graphiql=_flag(env, "GRAPHIQL", default=True),
        trusted_proxies=_trusted_proxies(env),
        cors_origins=_cors_origins(env),
        **{name: _default_typed(env, name) for name in RATE_LIMITS},
        **_annotator_rules(env),
        models_path=_folder(env, "MODELS_DIR"),
        models_keep=_default_typed(env, "models_keep"),
        **{name: _default_typed(env, name) for name in UPLOAD_LIMITS},
    )


def _folder(env: Mapping[str, str], name: str) -> Path | None:
    """A folder setting, resolved; None when unset."""
    raw = (env.get(PREFIX + name) or "").strip()
    return Path(raw).expanduser().resolve() if raw else None


def local_url(host: str, port: int) -> str:
    """The address of a server listening on `host`:`port` (an IPv6 host in brackets)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _public_url(env: Mapping[str, str]) -> str | None:
    """ACTIVECROWDS_PUBLIC_URL without a trailing slash, or None; a bad value names it."""
    raw = (env.get(PREFIX + "PUBLIC_URL") or "").strip()
    if not raw:
        return None
    if not raw.startswith(("http://", "https://")):
        message = f"{PREFIX}PUBLIC_URL must start with http:// or https://; got {raw!r}"
        raise ValidationError(message, PREFIX + "PUBLIC_URL")
    return raw.rstrip("/")


def _trusted_proxies(env: Mapping[str, str]) -> tuple[str, ...]:
    """ACTIVECROWDS_TRUSTED_PROXIES: comma-separated IPs or CIDRs; a bad one names the variable."""
    name = PREFIX + "TRUSTED_PROXIES"
    found = []
    for item in (env.get(name) or "").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            found.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            message = f"{name} must list IP addresses or networks (CIDR); got {item!r}"
            raise ValidationError(message, name) from None
    return tuple(found)


def _cors_origins(env: Mapping[str, str]) -> tuple[str, ...]:
    """ACTIVECROWDS_CORS_ORIGINS: comma-separated origins, each scheme://host[:port] and
    nothing more (a path, a wildcard or a trailing slash would never match a browser's Origin
    header, so it is refused rather than silently useless)."""
    name = PREFIX + "CORS_ORIGINS"
    found = []
    for item in (env.get(name) or "").split(","):
        item = item.strip()
        if not item:
            continue
        scheme, _, rest = item.partition("://")
        if scheme not in ("http", "https") or not rest or any(c in rest for c in "/*?#"):
            message = f"{name} must list origins like https://console.example.org; got {item!r}"
            raise ValidationError(message, name)
        found.append(item)
    return tuple(found)


def _annotator_rules(env: Mapping[str, str]) -> dict[str, Any]:
    """Who may register, how long tokens live, what gold questions ask of annotators."""
    accuracy = _default_typed(env, "gold_min_accuracy")
    if accuracy > 1:
        name = PREFIX + "GOLD_MIN_ACCURACY"
        raise ValidationError(f"{name} must be between 0 and 1; got {accuracy:g}", name)
    confidence = _default_typed(env, "gold_confidence")
    if not 0 < confidence < 1:
        name = PREFIX + "GOLD_CONFIDENCE"
        raise ValidationError(
            f"{name} must be between 0 and 1, both excluded; got {confidence:g}", name
        )
    return {
        "open_registration": _flag(env, "OPEN_REGISTRATION"),
        "token_ttl_days": _default_typed(env, "token_ttl_days"),
        "gold_min_answers": _default_typed(env, "gold_min_answers"),
        "gold_min_accuracy": accuracy,
        "gold_confidence": confidence,
    }


def _edge_limits(env: Mapping[str, str]) -> dict[str, Any]:
    """What a server accepts from clients: timeouts, connections, query costs, documents."""
    manifest = env.get(PREFIX + "TRUSTED_DOCUMENTS")
    only = _flag(env, "TRUSTED_DOCUMENTS_ONLY")
    if only and not manifest:
        raise ValidationError(
            f"{PREFIX}TRUSTED_DOCUMENTS_ONLY needs {PREFIX}TRUSTED_DOCUMENTS (the manifest)",
            PREFIX + "TRUSTED_DOCUMENTS",
        )
    numbers = {name: _default_typed(env, name) for name in EDGE_NUMBERS}
    path = Path(manifest).expanduser().resolve() if manifest else None
    return {**numbers, "trusted_documents": path, "trusted_documents_only": only}


# Settings read as ACTIVECROWDS_<NAME>, their defaults being the dataclass's.
EDGE_NUMBERS = (
    "read_timeout_s",
    "max_connections",
    "ws_init_timeout_s",
    "max_query_cost",
    "query_cost_per_minute",
    "parse_ms_per_minute",
)
UPLOAD_LIMITS = (
    "upload_max_mb",
    "unpacked_max_mb",
    "upload_max_files",
    "classify_max_mb",
    "classify_max_files",
)
RATE_LIMITS = (
    "registrations_per_minute",
    "mutations_per_minute",
    "address_mutations_per_minute",
    "submissions_per_minute",
)


def _default_typed(env: Mapping[str, str], name: str) -> Any:
    """The setting `name` from ACTIVECROWDS_<NAME>, of its default's type (int or float)."""
    default = getattr(Settings, name)
    return type(default)(_number(env, name.upper(), default))


def _flag(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    """A yes/no setting (1/true/yes or 0/false/no); a bad value names the variable."""
    raw = (env.get(PREFIX + name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise ValidationError(f"{PREFIX + name} must be 1 or 0; got {raw!r}", PREFIX + name)


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    """A non-negative number from the environment; a bad value names the variable."""
    raw = env.get(PREFIX + name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if (
        not math.isfinite(value)
        or value < 0
        or (isinstance(default, int) and not value.is_integer())
    ):
        kind = "a whole number" if isinstance(default, int) else "a number"
        raise ValidationError(f"{PREFIX + name} must be {kind} >= 0; got {raw!r}", PREFIX + name)
    return value


def async_url(url: str) -> str:
    """The URL with the async driver we ship: postgresql:// -> asyncpg, sqlite:// -> aiosqlite."""
    for plain, driver in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url.removeprefix(plain)
    return url


def _stored_admin_token(data_dir: Path) -> str:
    """The admin token kept in the data dir; created (mode 0600) on first use."""
    path = data_dir / TOKEN_FILE
    if path.is_file():
        token = path.read_text().strip()
        if token:
            return token
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(token + "\n")
    return token
