"""Benchmark: printing a typical plan and a wallet card, against a bare WeasyPrint render of the same words.

Run by `make bench` (or directly: `python benchmarks/pdf.py [--rounds 30] [--renders 500]`). No database:
printing is a pure function of a PlanDocument. In one process, interleaved (the order rotates each round):

- plan: `printing.plan.render_plan` of a typical plan (7 steps, 5 entries each, clinician notes off);
- card: `printing.card.layout_card` + `render_card` of its default wallet card (what a card download does);
- bare: `weasyprint.HTML(...).write_pdf()` of the same words, one paragraph each, no stylesheet
  (sharing the process's font configuration, as the app does).

Then, in a fresh process, the time from process start to the first plan PDF (Django set-up, the warm-up
that safetyplan/wsgi.py runs at start, then one plan); and resident memory before and after 500 renders.
Targets on the 2-core machines: plan and card at most 1.3x bare and under 300 ms median (warm); card under
150 ms; first render after start under 2 s; memory flat.
"""

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safetyplan.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

START = time.monotonic()

import django

django.setup()

from django.utils.html import escape
from weasyprint import HTML

from plans.content import EntryData, PlanContent
from plans.steps import STEPS, StepWording
from printing import card as printing_card
from printing import engine as printing_engine
from printing.card import default_card_choice, layout_card, render_card
from printing.document import CrisisLine, PlanDocument
from printing.plan import plan_html, render_plan
from printing.warm import warm_up


def typical_document() -> PlanDocument:
    """7 steps with 5 entries each (a step with two sections splits them 3 + 2), as a clinician writes them."""
    sections: dict[str, list[EntryData]] = {}
    for step in STEPS:
        for number, section in enumerate(step.sections):
            count = 5 if len(step.sections) == 1 else (3 if number == 0 else 2)
            entries = []
            for i in range(count):
                uid = uuid.uuid5(uuid.NAMESPACE_URL, f"{section.key}-{i}")
                if "name" in section.fields:
                    entry = EntryData(
                        uid=uid,
                        name=f"Person or place number {i + 1}",
                        phone=f"+120255501{i:02d}" if "phone" in section.fields else "",
                        note="a friend from work" if "note" in section.fields else "",
                        address="12 Main Street" if "address" in section.fields else "",
                    )
                else:
                    entry = EntryData(
                        uid=uid,
                        text=f"Something written with the client, number {i + 1}, in their own words",
                        who="My sister" if section.key == "means_safety" else "",
                        by_when="This weekend" if section.key == "means_safety" else "",
                    )
                entries.append(entry)
            sections[section.key] = entries
    return PlanDocument(
        plan_id=1,
        language="en",
        direction="ltr",
        preferred_name="Jo",
        clinician_name="Alice Example",
        plan_date=date(2030, 1, 15),
        revision=4,
        content=PlanContent(sections=sections, most_important="Seeing my daughter grow up"),
        wording={step.number: StepWording(str(step.heading), str(step.prompt), "") for step in STEPS},
        crisis_lines=(
            CrisisLine("988 Suicide & Crisis Lifeline", "crisis", "call_text", "988", hours="24/7"),
            CrisisLine("Crisis Text Line", "crisis", "text", "741741", text_keyword="HOME", hours="24/7"),
        ),
        emergency_numbers=(CrisisLine("Emergency services", "emergency", "call", "911", hours="24/7"),),
    )


class _Words(HTMLParser):
    """The text of a printed document, one paragraph per heading, paragraph or list item."""

    BLOCKS = frozenset({"h1", "h2", "h3", "p", "li", "div", "title"})

    def __init__(self) -> None:
        super().__init__()
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style"):
            self.skip -= 1
        elif tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.current.append(data)

    def flush(self) -> None:
        text = " ".join(" ".join(self.current).split())
        if text:
            self.paragraphs.append(text)
        self.current = []


def bare_html(doc: PlanDocument) -> str:
    """The same words as the printed plan, as plain paragraphs: no stylesheet, no structure, no tags."""
    words = _Words()
    words.feed(plan_html(doc, page_size="letter"))
    words.flush()
    return "<!doctype html><html><body>" + "".join(f"<p>{escape(p)}</p>" for p in words.paragraphs) + "</body></html>"


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def first_render() -> None:
    """In a fresh process: as a web worker starts (warm-up), then one plan PDF."""
    setup = time.monotonic() - START
    warm_up()
    warmed = time.monotonic() - START
    t0 = time.perf_counter()
    render_plan(typical_document(), page_size="letter")
    first = time.perf_counter() - t0
    print(f"{setup:.3f} {warmed:.3f} {first:.3f} {time.monotonic() - START:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--renders", type=int, default=500)
    parser.add_argument("--first-render", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_render:
        first_render()
        return

    print("PDF benchmark: typical plan (7 steps x 5 entries), its wallet card, and a bare render of the same words")
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, __file__, "--first-render"], capture_output=True, text=True, check=True, env=os.environ
    )
    child_wall = time.perf_counter() - started
    setup, warmed, first, total = (float(v) for v in child.stdout.split())
    print(
        f"  fresh process: Django set-up {setup * 1000:.0f} ms, warm-up done at {warmed * 1000:.0f} ms, "
        f"first plan {first * 1000:.0f} ms; first PDF {total * 1000:.0f} ms after start "
        f"({child_wall * 1000:.0f} ms wall, with interpreter start)   target < 2000 ms"
    )

    doc = typical_document()
    chosen = default_card_choice(doc)
    bare_source = bare_html(doc)
    engine = printing_engine._get_engine()
    warm_up()

    def plan() -> bytes:
        return render_plan(doc, page_size="letter")

    def card() -> bytes:
        """As a download after the chooser: the entries' heights are known (printing/card.py keeps them)."""
        return render_card(layout_card(doc, chosen=chosen, page_size="letter"))

    def card_new() -> bytes:
        """The first card of entries never measured before: every block measured by WeasyPrint."""
        printing_card._HEIGHTS.clear()
        return render_card(layout_card(doc, chosen=chosen, page_size="letter"))

    def bare() -> bytes:
        content: bytes = HTML(string=bare_source).write_pdf(font_config=engine.font_config)
        return content

    jobs = {"plan": plan, "card": card, "card_new": card_new, "bare": bare}
    for job in jobs.values():
        job()
    wall: dict[str, list[float]] = {name: [] for name in jobs}
    cpu: dict[str, list[float]] = {name: [] for name in jobs}
    names = list(jobs)
    for round_ in range(args.rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            t0, c0 = time.perf_counter(), time.process_time()
            jobs[name]()
            wall[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
    pages = len(HTML(string=bare_source).render(font_config=engine.font_config).pages)
    print(f"  {args.rounds} interleaved rounds (bare render: {pages} page(s), no stylesheet, untagged);")
    print("  wall clock, and CPU time of this process (steadier when others share the 2 cores):")
    for label, times in (("wall", wall), ("cpu ", cpu)):
        median = {name: statistics.median(values) * 1000 for name, values in times.items()}
        print(
            f"    {label}  plan {median['plan']:6.1f} ms (target < 300)   card {median['card']:6.1f} ms (target < 150)"
            f"   bare {median['bare']:6.1f} ms   plan/bare {median['plan'] / median['bare']:.2f} (target <= 1.3)"
            f"   card/bare {median['card'] / median['bare']:.2f} (target <= 1.3)"
            f"   first card of new entries {median['card_new']:6.1f} ms, /bare {median['card_new'] / median['bare']:.2f}"
        )

    gc.collect()
    before = rss_mib()
    marks = []
    for i in range(1, args.renders + 1):
        plan() if i % 2 else card()
        if i in (args.renders // 5, args.renders // 2, args.renders):
            gc.collect()
            marks.append(f"{i}: {rss_mib():.1f}")
    print(f"  resident memory over {args.renders} renders (plan and card, alternating), MiB:")
    print(f"    before {before:.1f}; after " + ", after ".join(marks))


if __name__ == "__main__":
    main()
