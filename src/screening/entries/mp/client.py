"""The HTTP side of the Materials Project source: one mp-api session with a heartbeat, retries and a budget.

* mp-api's own session retries HTTP 429, 502 and 504 three times (urllib3 ``Retry``, backoff 0.1 s,
  honouring ``Retry-After``); it does not retry 500 or 503, and its heartbeat request has no retry and
  no timeout. On top of that every query here is retried on 429/5xx and read time-outs with
  exponential backoff (:class:`~screening.entries.mp.options.RetryPolicy`), after a heartbeat check with a
  time-out, and the whole call is bounded by the policy's time budget.
* The API key lives in the client only: it is handed to ``MPRester`` and never written to a cache file, a
  snapshot, a provenance record or a log message (error details are redacted).
* The endpoint is used as given (credentials in it reach the server), but only
  :attr:`_Client.endpoint`, without user name and password, is ever shown or recorded (issue 26, S2).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from datetime import datetime
from urllib.parse import urlsplit

from screening.entries.mp.cache import _entry_key
from screening.entries.mp.options import ENV_API_KEY, ENV_ENDPOINT, RetryPolicy, chemsys_of, public_endpoint
from screening.errors import ScreeningError, SourceError

logger = logging.getLogger(__name__)

_CHEMSYS_PER_QUERY = 256  # chemical systems per get_entries call when assembling > 9-element systems
_sleep = time.sleep  # replaced in tests to record backoff delays


_STATUS = re.compile(r"status code (\d{3})|too many (\d{3}) error responses")
_NETWORK = re.compile(
    r"NewConnectionError|Connection refused|Failed to establish|Name or service not known|"
    r"Temporary failure in name resolution|nodename nor servname|No route to host|Network is unreachable",
)


def _classify(exc: BaseException) -> tuple[str, int | None]:
    """(kind, HTTP status) of a failed request: kind is transient, auth, network or other."""
    import requests

    text = str(exc)
    if isinstance(exc, _HTTPStatus):
        status = exc.status
    else:
        m = _STATUS.search(text)
        status = int(m.group(1) or m.group(2)) if m else None
    if status is not None:
        if status == 429 or status >= 500:
            return "transient", status
        if status in (401, 403):
            return "auth", status
        return "other", status
    if isinstance(exc, requests.Timeout) or "timed out" in text.lower():
        return "transient", None
    if isinstance(exc, requests.ConnectionError) or _NETWORK.search(text):
        return "network", None
    return "other", None


class _HTTPStatus(Exception):
    def __init__(self, status: int, what: str):
        super().__init__(f"HTTP {status} from {what}")
        self.status = status


class _Client:
    """One MPRester session for one load/fetch call (the key lives here, never in anything saved)."""

    def __init__(self, api_key: str, endpoint: str, thermo_type: str, policy: RetryPolicy):
        self._api_key = api_key
        self._url = endpoint  # what requests go to, credentials included
        self.endpoint = public_endpoint(endpoint)  # what is shown and recorded
        self.thermo_type = thermo_type
        self.policy = policy
        self._mpr = None
        self._started = time.monotonic()

    def __repr__(self) -> str:  # never show the key
        return f"_Client({self.endpoint!r}, {self.thermo_type!r})"

    def close(self) -> None:
        if self._mpr is not None:
            with suppress(Exception):
                self._mpr.session.close()
            self._mpr = None

    # -------------------------------------------------------------- plumbing
    def _redact(self, text: str) -> str:
        text = text.replace(self._api_key, "***") if self._api_key else text
        if self._url != self.endpoint:
            text = text.replace(self._url, self.endpoint)
            with suppress(ValueError):
                secret = urlsplit(self._url).password
                text = text.replace(secret, "***") if secret else text
        return text

    def _remaining(self) -> float:
        """Seconds left of the time budget (inf without one)."""
        if self.policy.budget is None:
            return float("inf")
        return self.policy.budget - (time.monotonic() - self._started)

    def _over_budget(self, what: str) -> SourceError:
        return SourceError(
            f"the Materials Project API at {self.endpoint} did not answer {what} within the time budget of "
            f"{self.policy.budget:g} s; nothing was cached, check the server (https://status.materialsproject.org) "
            "or raise --budget"
        )

    def _bounded(self, call: Callable, what: str):
        """``call()``, abandoned (its thread left to finish as a daemon) when the budget runs out."""
        left = self._remaining()
        if left == float("inf"):
            return call()
        if left <= 0:
            raise self._over_budget(what)
        box: dict = {}

        def run() -> None:
            try:
                box["value"] = call()
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                box["error"] = exc

        worker = threading.Thread(target=run, name=f"mp-api {what}", daemon=True)
        worker.start()
        worker.join(left)
        if worker.is_alive():
            raise self._over_budget(what)
        if "error" in box:
            raise box["error"]
        return box["value"]

    def _retrying(self, call: Callable, what: str):
        attempts = self.policy.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._bounded(call, what)
            except ScreeningError:
                raise
            except Exception as exc:  # noqa: BLE001 - classified and re-raised as SourceError below
                kind, status = _classify(exc)
                if kind == "transient" and attempt < attempts:
                    delay = self.policy.delay(attempt)
                    logger.warning(
                        "Materials Project %s for %s (attempt %d of %d); retrying in %.1f s",
                        f"HTTP {status}" if status else "time-out", what, attempt, attempts, delay,
                    )
                    if delay >= self._remaining():
                        raise self._over_budget(what) from None
                    _sleep(delay)
                    continue
                raise self._error(kind, status, exc, what, attempt) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(self, kind: str, status: int | None, exc: BaseException, what: str, attempts: int) -> SourceError:
        where = f"the Materials Project API at {self.endpoint}"
        if kind == "auth":
            return SourceError(
                f"{where} rejected the API key (HTTP {status}); check {ENV_API_KEY} (a valid key from "
                "https://materialsproject.org/api, 32 characters)"
            )
        if kind == "network":
            return SourceError(
                f"cannot reach {where} (no network or connection refused); check the connection and "
                f"{ENV_ENDPOINT}, or use an exported snapshot with --source PATH"
            )
        if kind == "transient":
            label = "rate limit (HTTP 429)" if status == 429 else (f"HTTP {status}" if status else "time-out")
            return SourceError(
                f"{where} kept failing with {label} for {what} after {attempts} attempts; nothing was cached, "
                "try again later (https://status.materialsproject.org) or raise --retries"
            )
        detail = self._redact(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)[:200]
        return SourceError(f"Materials Project query for {what} failed: {detail}")

    def _heartbeat(self) -> None:
        """Check the endpoint answers, with a time-out (mp-api's own heartbeat has none)."""
        import requests

        resp = requests.get(self._url + "heartbeat", timeout=min(self.policy.timeout, max(self._remaining(), 0.1)))
        if resp.status_code == 429 or resp.status_code >= 500:
            raise _HTTPStatus(resp.status_code, "heartbeat")

    def rester(self):
        """The MPRester (created on first use, after a heartbeat check)."""
        if self._mpr is None:
            try:
                from mp_api.client import MPRester
            except ImportError as exc:  # pragma: no cover - depends on the installation
                raise SourceError(f"the Materials Project source needs mp-api ({exc}); run pip install -e .") from None

            def connect():
                import warnings

                self._heartbeat()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    return MPRester(
                        api_key=self._api_key,
                        endpoint=self._url,
                        mute_progress_bars=True,
                        use_document_model=False,  # halves client-side parsing; entries are the same
                    )

            self._mpr = self._retrying(connect, "the heartbeat")
        return self._mpr

    @property
    def database_version(self) -> str | None:
        mpr = self.rester()
        version = getattr(mpr, "db_version", None)
        if not version:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                version = mpr.get_database_version()
        return version or None

    # -------------------------------------------------------------- queries
    def entries_in_chemsys(self, elements: Sequence[str]) -> list[dict]:
        """``MPRester.get_entries_in_chemsys`` for the whole system (all subsystems), as sorted dicts."""
        mpr = self.rester()
        chemsys = chemsys_of(elements)
        logger.info("fetching %s (%s) from %s", chemsys, self.thermo_type, self.endpoint)
        entries = self._retrying(
            lambda: mpr.get_entries_in_chemsys(
                list(elements), additional_criteria={"thermo_types": [self.thermo_type]}
            ),
            chemsys,
        )
        return _as_dicts(entries)

    def entries_of_systems(self, systems: Sequence[str]) -> list[dict]:
        """``MPRester.get_entries`` for exactly these chemical systems (no subsystems), in batches."""
        mpr = self.rester()
        out: list[dict] = []
        for start in range(0, len(systems), _CHEMSYS_PER_QUERY):
            batch = list(systems[start : start + _CHEMSYS_PER_QUERY])
            what = f"{len(batch)} chemical system(s) such as {batch[0]}"
            entries = self._retrying(
                lambda batch=batch: mpr.get_entries(batch, additional_criteria={"thermo_types": [self.thermo_type]}),
                what,
            )
            out.extend(_as_dicts(entries))
        return out


def _json_default(obj):
    if hasattr(obj, "as_dict"):
        return obj.as_dict()
    if isinstance(obj, datetime):
        return obj.isoformat()
    return str(obj)


def _as_dicts(entries: Iterable) -> list[dict]:
    """Plain-JSON entry dicts (mp-api returns emmet ``EntryID`` objects as ids), sorted by entry id."""
    out = []
    for e in entries:
        d = e.as_dict()
        d["entry_id"] = None if e.entry_id is None else str(e.entry_id)
        out.append(json.loads(json.dumps(d, default=_json_default)))
    return sorted(out, key=_entry_key)


__all__: list[str] = []  # internal: used through screening.entries.mp.fetch
