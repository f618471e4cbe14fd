"""What the connection-request procedure brings to the app (walked by service/domains.py)."""

from __future__ import annotations

from service.domains import Domain


def include(domain: Domain) -> None:
    from feedback.connection_requests import jobs
    from feedback.connection_requests.demo import load_requests
    from feedback.connection_requests.evidence import ConnectionEvidence
    from feedback.connection_requests.routes import register

    domain.templates = "connection_requests"
    domain.add_routes(register)
    domain.evidence = ConnectionEvidence()
    domain.demo = load_requests
    for job, minutes in jobs.SCHEDULE:
        domain.add_job(job, trigger="interval", minutes=minutes)
    _include_retention(domain)


def _include_retention(domain: Domain) -> None:
    from feedback.connection_requests import retention
    from service.retention import PersonalData, RecordRetention

    domain.retention.append(RecordRetention(retention.RECORD_TYPE, retention.expire_requests))
    domain.personal_data.append(
        PersonalData("connection_requests", retention.find_requests, retention.erase_requests)
    )
