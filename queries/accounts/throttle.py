"""Who may try a password now: locks by user name and waits by network address.

Everything here works on the state kept in `accounts/logins.json` (a plain dict, changed under
the accounts lock by queries.accounts.service.authenticate); no file, no clock of its own.

- **By name**: `login_max_failures` wrong answers in a row for one name *from one address*
  lock that name for that address for `login_lock_minutes`; so a stranger cannot lock a
  person out of their own office by typing their name. From every address together,
  NAME_WIDE_FACTOR times as many lock the name for everyone (a guesser spread over many
  addresses). A name that is no account is counted and locked exactly like one that is, so
  the answers never tell which names exist; its key is a keyed hash of what was typed (no
  typed text, perhaps a password, is kept).
- **By address**: after `login_address_free_failures` failures within ADDRESS_WINDOW from one
  address, whatever the names, each further failure makes that address wait 1 s, then 2 s,
  4 s… up to `login_address_max_wait_minutes`. A sign-in refused for a lock counts as a
  failure of its address too. While an address waits, its attempts are refused before any
  password is hashed (one argon2 check costs 64 MiB and a quarter of a second).
- **Bounded**: entries are forgotten once they have nothing to enforce (an address after
  ADDRESS_WINDOW without failure, a name after NAME_MEMORY), and at most MAX_NAMES names,
  MAX_ADDRESSES addresses and MAX_ADDRESSES_PER_NAME addresses per name are kept (the
  oldest go first), so nobody can grow the file by typing new names or from new addresses.

An address is what `client_address` makes of the connection: None when the server cannot
tell (a process on the server itself, or a proxy not listed in DTI_TRUSTED_PROXIES); such
attempts are not throttled by address, the name locks still hold.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from queries.accounts.audit_log import parse_utc

NAME_WIDE_FACTOR = 4
ADDRESS_WINDOW = timedelta(hours=1)
NAME_MEMORY = timedelta(days=1)
MAX_NAMES = 5000
MAX_ADDRESSES = 5000
MAX_ADDRESSES_PER_NAME = 20
LOCAL = ""  # the per-name key of attempts without an address


@dataclass(frozen=True)
class Refusal:
    kind: str  # "name": the name is locked (for this address or for all); "address": the address waits
    until: datetime
    failures: int  # the count that set it: for the lock message


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _active(text, now: datetime) -> datetime | None:
    until = parse_utc(text)
    return until if until is not None and until > now else None


def _sections(state: dict) -> tuple[dict, dict]:
    """The two tables of the state, created when missing (an older file's flat entries are
    dropped: they were only counters)."""
    names, addresses = state.get("names"), state.get("addresses")
    if not isinstance(names, dict) or not isinstance(addresses, dict):
        state.clear()
        names, addresses = {}, {}
        state.update(names=names, addresses=addresses)
    return names, addresses


def _numbers(settings: Mapping) -> tuple[int, timedelta, int, timedelta]:
    return (int(settings["login_max_failures"]), timedelta(minutes=int(settings["login_lock_minutes"])),
            int(settings["login_address_free_failures"]),
            timedelta(minutes=int(settings["login_address_max_wait_minutes"])))


# ---- asking ----------------------------------------------------------------------------------------


def refusal(state: Mapping, name_key: str, address: str | None, now: datetime, settings: Mapping) -> Refusal | None:
    """Why an attempt for this name from this address is refused now (before any password is
    checked), or None. An address that waits is answered first: it learns nothing of names."""
    max_failures, _, _, _ = _numbers(settings)
    names = state.get("names") if isinstance(state.get("names"), dict) else {}
    addresses = state.get("addresses") if isinstance(state.get("addresses"), dict) else {}
    if address is not None:
        waiting = _active((addresses.get(address) or {}).get("wait_until"), now)
        if waiting is not None:
            return Refusal("address", waiting, int(addresses[address].get("failures", 0)))
    entry = names.get(name_key) or {}
    until = _active(entry.get("locked_until"), now)
    if until is not None:
        return Refusal("name", until, max_failures * NAME_WIDE_FACTOR)
    pair = (entry.get("addresses") or {}).get(address or LOCAL) or {}
    until = _active(pair.get("locked_until"), now)
    if until is not None:
        return Refusal("name", until, max_failures)
    return None


# ---- recording ---------------------------------------------------------------------------------------


def _count(entry: dict) -> int:
    """The entry's failures in a row, this one included: after an expired lock, afresh."""
    return 1 if entry.get("locked_until") else int(entry.get("failures", 0)) + 1


def record_failure(state: dict, name_key: str, address: str | None, now: datetime, settings: Mapping) -> Refusal | None:
    """Count a wrong answer; returns the lock or the wait it started, if any."""
    max_failures, lock, _, _ = _numbers(settings)
    names, _ = _sections(state)
    entry = names.setdefault(name_key, {})
    pairs = entry.setdefault("addresses", {})
    pair = pairs.get(address or LOCAL, {})
    pair_failures = _count(pair)
    pair = {"failures": pair_failures, "last_failure": _iso(now)}
    total = _count(entry)
    entry.update(failures=total, last_failure=_iso(now))
    entry.pop("locked_until", None)
    started = None
    if total >= max_failures * NAME_WIDE_FACTOR:
        entry["locked_until"] = _iso(now + lock)
        started = Refusal("name", now + lock, max_failures * NAME_WIDE_FACTOR)
    if pair_failures >= max_failures:
        pair["locked_until"] = _iso(now + lock)
        started = started or Refusal("name", now + lock, max_failures)
    pairs[address or LOCAL] = pair
    waiting = record_address_failure(state, address, now, settings)
    return started or waiting


def record_address_failure(state: dict, address: str | None, now: datetime, settings: Mapping) -> Refusal | None:
    """Count a failure of the address (a wrong answer, or an attempt refused for a lock);
    returns the wait it started, if any."""
    if address is None:
        return None
    _, _, free, longest = _numbers(settings)
    _, addresses = _sections(state)
    entry = addresses.get(address) or {}
    last = parse_utc(entry.get("last_failure"))
    failures = 1 if last is None or now - last > ADDRESS_WINDOW else int(entry.get("failures", 0)) + 1
    entry = {"failures": failures, "last_failure": _iso(now)}
    started = None
    if failures > free:
        # 1 s, 2 s, 4 s…: a person who mistyped barely notices; a script is slowed to a crawl.
        wait = min(timedelta(seconds=2 ** min(failures - free - 1, 30)), longest)
        entry["wait_until"] = _iso(now + wait)
        started = Refusal("address", now + wait, failures)
    addresses[address] = entry
    return started


def record_success(state: dict, name_key: str) -> None:
    """The right password: the name's failures are forgotten (its address's are not: one
    good account must not let a guesser start over)."""
    names, _ = _sections(state)
    names.pop(name_key, None)


def forget_name(state: dict, name_key: str) -> None:
    """An admin set a password, re-enabled or created the account: its locks end."""
    record_success(state, name_key)


# ---- keeping it small ----------------------------------------------------------------------------------


def prune(state: dict, now: datetime) -> None:
    """Forget what no longer enforces anything, then keep the newest entries up to the caps."""
    names, addresses = _sections(state)
    for key in list(names):
        entry = names[key]
        pairs = entry.get("addresses") or {}
        for address in list(pairs):
            pair = pairs[address]
            last = parse_utc(pair.get("last_failure"))
            if _active(pair.get("locked_until"), now) is None and (last is None or now - last > NAME_MEMORY):
                del pairs[address]
        _keep_newest(pairs, MAX_ADDRESSES_PER_NAME)
        last = parse_utc(entry.get("last_failure"))
        if not pairs and _active(entry.get("locked_until"), now) is None and (last is None or now - last > NAME_MEMORY):
            del names[key]
    for address in list(addresses):
        entry = addresses[address]
        last = parse_utc(entry.get("last_failure"))
        if _active(entry.get("wait_until"), now) is None and (last is None or now - last > ADDRESS_WINDOW):
            del addresses[address]
    _keep_newest(names, MAX_NAMES)
    _keep_newest(addresses, MAX_ADDRESSES)


def _keep_newest(table: dict, limit: int) -> None:
    if len(table) <= limit:
        return
    oldest_first = sorted(table, key=lambda k: str(table[k].get("last_failure") or ""))
    for key in oldest_first[: len(table) - limit]:
        del table[key]


# ---- where an attempt comes from ------------------------------------------------------------------------


def _ip(text) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not isinstance(text, str):
        return None
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51000"
        text = text.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped  # "::ffff:127.0.0.1", as a dual-stack server sees IPv4 peers
    return ip


def _networks(trusted: str) -> list:
    networks = []
    for item in (trusted or "").replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            continue  # a typo names no proxy: trusting fewer is the safe side
    return networks


def _within(ip, networks: list) -> bool:
    return any(ip.version == net.version and ip in net for net in networks)


def address_key(ip) -> str | None:
    """The throttle's key of an address: None for the server itself; an IPv6 address by its
    /64 (one subscriber gets a whole /64, and could otherwise take a new address per try)."""
    if ip is None or ip.is_loopback:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def trusted_peer(peer: str | None, trusted_proxies: str = "") -> bool:
    """Whether the connection comes from one of the proxies named in DTI_TRUSTED_PROXIES."""
    ip = _ip(peer) if peer is not None else None
    return ip is not None and _within(ip, _networks(trusted_proxies))


def client_address(peer: str | None, forwarded_for: str | None = None, real_ip: str | None = None,
                   trusted_proxies: str = "") -> str | None:
    """The address an attempt comes from, as a throttle key (address_key).

    `peer` is the connection's own address (Streamlit's st.context.ip_address, None on the
    loopback). The proxy headers are believed only when the peer is one of `trusted_proxies`
    (DTI_TRUSTED_PROXIES: addresses or networks, comma-separated; empty by default): then
    X-Forwarded-For is read from the right, skipping the trusted proxies, and the first other
    hop is the client (nginx's $proxy_add_x_forwarded_for appends the address it saw, while
    everything left of it is whatever the client sent); X-Real-IP serves when there is no
    X-Forwarded-For."""
    ip = _ip(peer) if peer is not None else ipaddress.ip_address("127.0.0.1")
    if ip is None:
        return None
    networks = _networks(trusted_proxies)
    if not _within(ip, networks):
        return address_key(ip)
    hops = [hop for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        hop_ip = _ip(hop)
        if hop_ip is None:
            return None  # a proxy wrote something unreadable: no address rather than a forged one
        if not _within(hop_ip, networks):
            return address_key(hop_ip)
    if not hops and real_ip:
        return address_key(_ip(real_ip))
    return address_key(ip)
