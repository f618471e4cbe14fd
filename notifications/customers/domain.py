"""What the contract-customer part brings to the app (walked by service/domains.py)."""

from __future__ import annotations

from service.domains import Domain


def include(domain: Domain) -> None:
    from notifications.customers import jobs
    from notifications.customers.cli import customers_group
    from notifications.customers.demo import load_customers
    from notifications.customers.evidence import CustomerEvidence
    from notifications.customers.routes import register

    domain.templates = "customers"
    domain.add_routes(register)
    domain.add_job(jobs.purge_sign_in_links, trigger="interval", hours=1)
    domain.add_job(jobs.purge_unconfirmed_email_subscriptions, trigger="interval", hours=1)
    domain.add_command(customers_group)
    domain.evidence = CustomerEvidence()
    domain.demo = load_customers
    _include_retention(domain)


def _include_retention(domain: Domain) -> None:
    from notifications.customers import retention
    from service.retention import PersonalData

    domain.personal_data.append(
        PersonalData(
            "email_subscriptions",
            retention.find_email_subscriptions,
            retention.erase_email_subscriptions,
        )
    )
    domain.personal_data.append(
        PersonalData(
            "customer_contacts",
            retention.find_customer_contacts,
            retention.erase_customer_contacts,
        )
    )
