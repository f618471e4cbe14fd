"""What the sample capability brings: a page, a job, a worker, a command and evidence."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import click
from flask import Blueprint, Flask

from service.domains import Domain
from service.evidence import Figure, Period, Register, Unit

bp = Blueprint("sample", __name__, url_prefix="/sample")


@bp.get("/")
def index() -> str:
    return "sample page"


def tidy_up() -> None:
    """A scheduled job."""


def keep_watch(app: Flask, stop: threading.Event) -> None:
    stop.wait()


@click.command("sample-hello")
def hello() -> None:
    click.echo("hello from the sample capability")


class SampleEvidence:
    def registers(self, period: Period) -> Sequence[Register]:
        return ()  # the compliance export (issue 13) fills these in

    def figures(self, period: Period) -> Sequence[Figure]:
        return [Figure("sample.days", (period.last - period.first).days + 1, Unit.COUNT, "Days")]


def include(domain: Domain) -> None:
    domain.templates = "sample"
    domain.add_routes(lambda app: app.register_blueprint(bp))
    domain.add_job(tidy_up, trigger="interval", minutes=7)
    domain.add_worker(keep_watch)
    domain.add_command(hello)
    domain.evidence = SampleEvidence()
