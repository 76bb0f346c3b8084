"""A phase of the run: virtual users each in a thread of their own, closed loop (each waits for its answer,
pauses, then sends the next request), for a fixed time after everyone has signed in."""

import math
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .stats import Recorder, loadavg
from .users import LOOP_KINDS, Clinician, Failed, User


@dataclass
class Phase:
    name: str
    users: int
    pause: float  # mean pause between one user's requests (0: none, saturation)
    seconds: float  # the measured time, from the moment everyone is signed in
    kinds: list[str]  # what counts in "all"
    recorder: Recorder  # the measured time
    signing_in: Recorder  # before it
    loadavg_before: str = ""
    loadavg_after: str = ""
    carried: tuple[int, int] | None = None  # (sessions carried across servers, clinicians) when alternating
    cpu: float = math.nan  # CPU seconds the servers used (gunicorn's workers and the database's processes)
    cpu_database: float = math.nan  # of which the database's

    @property
    def cpu_per_request(self) -> float:
        """Milliseconds of server CPU per request: what capacity is made of, whatever else the machine runs."""
        return self._per_request(self.cpu)

    @property
    def database_cpu_per_request(self) -> float:
        return self._per_request(self.cpu_database)

    def _per_request(self, seconds: float) -> float:
        requests = sum(len(values) for values in self.recorder.latencies.values())
        return seconds / requests * 1000 if requests else math.nan

    @property
    def throughput(self) -> float:
        return self.recorder.count(self.kinds) / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return sum(self.recorder.errors.values()) + sum(self.signing_in.errors.values())


def _pause(mean: float, deadline: float) -> None:
    if mean > 0:
        time.sleep(max(0.0, min(random.uniform(0.5 * mean, 1.5 * mean), deadline - time.monotonic())))


def drive(
    name: str,
    users: Sequence[User],
    *,
    seconds: float,
    pause: float,
    kinds: list[str] | None = None,
    before: Callable[[User], None] | None = None,
    ramp: float = 0.0,
    watch: Callable[[], dict[str, float]] | None = None,
) -> Phase:
    """Each user runs `before` (signing in; started `ramp` seconds apart in all), then, once all have, sends
    requests for `seconds`, pausing `pause` seconds on average (from half to one and a half times it)."""
    recorder, signing_in = Recorder(), Recorder()
    for user in users:
        user.recorder = signing_in
    started: list[float] = []
    cpu_before: dict[str, float] = {}

    def start() -> None:
        if watch is not None:
            cpu_before.update(watch())
        for user in users:  # every thread waits at the barrier while this runs
            user.recorder = recorder
        started.append(time.monotonic())

    barrier = threading.Barrier(len(users), action=start)

    def life(number: int, user: User) -> None:
        if before is not None:
            time.sleep(ramp * number / len(users))
            _guarded(signing_in, lambda: before(user))
        barrier.wait()
        deadline = started[0] + seconds
        _pause(pause, deadline)  # spreads the first requests over a pause
        while time.monotonic() < deadline:
            _guarded(recorder, user.step)
            _pause(pause, deadline)

    phase = Phase(name, len(users), pause, seconds, kinds or LOOP_KINDS, recorder, signing_in, loadavg_before=loadavg())
    threads = [threading.Thread(target=life, args=(n, user), daemon=True) for n, user in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.monotonic() - started[0]  # until the last answer came back
    if watch is not None:
        _cpu_used(phase, cpu_before, watch())
    phase.loadavg_after = loadavg()
    clinicians = [user for user in users if isinstance(user, Clinician) and user.alternate]
    if clinicians:
        phase.carried = (sum(1 for user in clinicians if user.carried), len(clinicians))
    return phase


def _cpu_used(phase: Phase, before: dict[str, float], after: dict[str, float]) -> None:
    used = {key: seconds - before.get(key, 0.0) for key, seconds in after.items()}
    phase.cpu = sum(used.values())
    phase.cpu_database = sum(seconds for key, seconds in used.items() if key.startswith("database:"))


def _guarded(recorder: Recorder, action: Callable[[], None]) -> None:
    try:
        action()
    except Failed:
        pass  # recorded as an error where it happened
    except Exception as error:  # a page the harness could not read: an error, never a crash
        recorder.add("unreadable page", 0.0, type(error).__name__)
