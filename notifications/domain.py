"""What the notifications domain brings to the app (walked by service/domains.py)."""

from __future__ import annotations

from collections.abc import Callable

from service.domains import Domain


def include(domain: Domain) -> None:
    from notifications import jobs
    from notifications.demo import load_outages
    from notifications.evidence import NoticeEvidence
    from notifications.routes import register
    from notifications.sms.keywords import register_template_global
    from notifications.streets.cli import streets_group

    domain.templates = "notifications"
    domain.add_routes(register)
    domain.add_routes(register_template_global)
    domain.add_job(jobs.start_planned_outages, trigger="interval", minutes=1)
    domain.add_job(jobs.send_reminders, trigger="interval", minutes=5)
    domain.add_job(jobs.purge_codes, trigger="interval", minutes=15)
    domain.add_worker(jobs.run_dispatcher)  # the SMS dispatcher, in every worker process
    domain.add_command(streets_group)
    domain.evidence = NoticeEvidence()
    domain.demo = _demo(load_outages)
    _include_retention(domain)


def _demo(load_outages: Callable[[bool], str]) -> Callable[[bool], str]:
    """The demo streets' names in both languages first, then the notices that use them."""

    def load(only_if_empty: bool = False) -> str:
        from notifications.streets.demo import load_streets

        return f"{load_streets(only_if_empty)}; {load_outages(only_if_empty)}"

    return load


def _include_retention(domain: Domain) -> None:
    from notifications.sms import retention
    from service.retention import PersonalData, RecordRetention

    domain.retention.append(RecordRetention("sms_message", retention.expire_messages))
    domain.retention.append(RecordRetention("sms_subscriber_left", retention.expire_subscribers))
    domain.personal_data.append(
        PersonalData("sms", retention.find_sms_data, retention.erase_sms_data)
    )
