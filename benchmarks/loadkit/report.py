"""The figures: per kind of request p50/p95/p99 and errors, throughput, ratios to hello-world, the goals."""

import math
from dataclasses import dataclass
from typing import Any

from .phases import Phase
from .users import LOOP_KINDS, SIGN_IN_KINDS

# Issue 12's goals on the 2-core machines (50 clinicians pausing 1 s).
P95_GOAL_MS = 150.0
BEFORE_SATURATION = 30.0  # requests a second the server saturated at before issue 12
SATURATION_GOAL = 3 * BEFORE_SATURATION


@dataclass
class Run:
    hello: Phase
    app: Phase
    hello_saturation: Phase
    app_saturation: Phase
    two_servers: Phase
    setting: str  # servers, database, cache, machine


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _table(phase: Phase, kinds: list[str], *, total: bool = True, signing_in: bool = False) -> list[str]:
    lines = [f"    {'request':<16}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"]
    recorder = phase.signing_in if signing_in else phase.recorder
    rows = [recorder.summary(kind) for kind in kinds if recorder.latencies.get(kind)]
    if total:
        rows.append(phase.recorder.summary("all", phase.kinds))
    for row in rows:
        lines.append(
            f"    {row.kind:<16}{row.requests:>7}{_ms(row.p50):>9}{_ms(row.p95):>9}{_ms(row.p99):>9}{row.errors:>8}"
        )
    return lines


def _header(phase: Phase, what: str) -> str:
    pause = f"pausing {phase.pause:g} s on average" if phase.pause else "no pause"
    return (
        f"  {phase.name}: {phase.users} {what}, {pause}, {phase.seconds:.1f} s measured"
        f" (load average {phase.loadavg_before} -> {phase.loadavg_after})"
    )


def _errors(phase: Phase) -> list[str]:
    reasons = phase.signing_in.reasons + phase.recorder.reasons
    return [f"    error: {reason} x{count}" for reason, count in sorted(reasons.items())]


def _throughput(phase: Phase) -> str:
    cpu = ""
    if not math.isnan(phase.cpu):
        cpu = f"; server CPU {phase.cpu_per_request:.1f} ms a request"
        if phase.cpu_database:
            cpu += f" ({phase.database_cpu_per_request:.1f} of them PostgreSQL's)"
    return f"    throughput {phase.throughput:.1f}/s{cpu}"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(run: Run) -> str:
    lines = [f"Load: {run.setting}"]
    hello_all = run.hello.recorder.summary("all", run.hello.kinds)
    app_all = run.app.recorder.summary("all", run.app.kinds)
    lines.append(_header(run.hello, "visitors of a hello-world Django app (same gunicorn settings)"))
    lines += _table(run.hello, ["hello"], total=False)
    lines += [_throughput(run.hello), *_errors(run.hello)]
    lines.append(_header(run.app, "clinicians, each signed in through the form (password, then code)"))
    lines += _table(run.app, LOOP_KINDS)
    lines.append("    signing in (before the measured time, not in 'all'):")
    lines += _table(run.app, SIGN_IN_KINDS, total=False, signing_in=True)[1:]
    lines.append(
        f"{_throughput(run.app)}; {run.app.throughput / run.hello.throughput:.2f}x hello's throughput,"
        f" p95 {app_all.p95 / hello_all.p95:.1f}x hello's, p50 {app_all.p50 / hello_all.p50:.1f}x"
    )
    lines += _errors(run.app)
    for phase, what in ((run.hello_saturation, "visitors"), (run.app_saturation, "signed-in clinicians")):
        lines.append(_header(phase, what))
        lines += _table(
            phase, phase.kinds if phase is run.hello_saturation else LOOP_KINDS, total=phase is run.app_saturation
        )
        lines += [_throughput(phase), *_errors(phase)]
    ratio = run.app_saturation.throughput / run.hello_saturation.throughput
    lines.append(f"    saturation: app {run.app_saturation.throughput:.1f}/s, {ratio:.2f}x hello-world's")
    two = run.two_servers
    carried, clinicians = two.carried or (0, 0)
    lines.append(_header(two, "clinicians, requests alternating between two app servers on one database"))
    lines += _table(two, LOOP_KINDS)
    lines.append("    signing in (alternating too: form from one server, posted to the other):")
    lines += _table(two, SIGN_IN_KINDS, total=False, signing_in=True)[1:]
    lines.append(f"    session carried across servers for {carried} of {clinicians} clinicians")
    lines += [_throughput(two), *_errors(two)]
    lines.append("  goals:")
    for text, value, ok in goals(run):
        lines.append(f"    {_verdict(ok)}  {text}: {value}")
    return "\n".join(lines)


def goals(run: Run) -> list[tuple[str, str, bool]]:
    app = run.app.recorder.summary("all", run.app.kinds)
    two = run.two_servers.recorder.summary("all", run.two_servers.kinds)
    carried, clinicians = run.two_servers.carried or (0, 0)
    saturation = run.app_saturation.throughput
    return [
        (
            f"p95 under {P95_GOAL_MS:g} ms, {run.app.users} clinicians pausing {run.app.pause:g} s",
            f"{_ms(app.p95)} ms",
            app.p95 < P95_GOAL_MS,
        ),
        ("0 errors (every phase)", str(sum(p.errors for p in phases(run))), all(p.errors == 0 for p in phases(run))),
        (
            f"saturation at least {SATURATION_GOAL:g}/s (3x the {BEFORE_SATURATION:g}/s before)",
            f"{saturation:.1f}/s ({saturation / BEFORE_SATURATION:.1f}x)",
            saturation >= SATURATION_GOAL,
        ),
        (
            "two servers: the session carries across",
            f"{carried} of {clinicians}",
            clinicians > 0 and carried == clinicians,
        ),
        (f"two servers: p95 under {P95_GOAL_MS:g} ms", f"{_ms(two.p95)} ms", two.p95 < P95_GOAL_MS),
    ]


def phases(run: Run) -> list[Phase]:
    return [run.hello, run.app, run.hello_saturation, run.app_saturation, run.two_servers]


def as_json(run: Run) -> dict[str, Any]:
    def phase_json(phase: Phase) -> dict[str, Any]:
        kinds = {kind: phase.recorder.summary(kind).as_dict() for kind in phase.recorder.latencies}
        kinds |= {kind: phase.signing_in.summary(kind).as_dict() for kind in phase.signing_in.latencies}
        return {
            "users": phase.users,
            "pause": phase.pause,
            "seconds": phase.seconds,
            "throughput": phase.throughput,
            "errors": phase.errors,
            "error_reasons": dict(phase.signing_in.reasons + phase.recorder.reasons),
            "server_cpu_ms_per_request": None if math.isnan(phase.cpu) else phase.cpu_per_request,
            "database_cpu_ms_per_request": None if math.isnan(phase.cpu) else phase.database_cpu_per_request,
            "all": phase.recorder.summary("all", phase.kinds).as_dict(),
            "kinds": kinds,
            "carried": list(phase.carried) if phase.carried else None,
            "loadavg": [phase.loadavg_before, phase.loadavg_after],
        }

    return {
        "setting": run.setting,
        "phases": {phase.name: phase_json(phase) for phase in phases(run)},
        "goals": [{"goal": text, "value": value, "met": ok} for text, value, ok in goals(run)],
    }
