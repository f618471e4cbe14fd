"""create_app(): the table of contents of the service."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import load_settings
from config.settings import instance_dir
from service import i18n
from service.domains import register_domains
from service.errors import register_errorhandlers
from service.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def _default_instance() -> Path:
    """A checkout keeps its instance beside the code (instance/); an installed package never
    writes into site-packages: <venv>/var/fairheat-instance (FAIRHEAT_INSTANCE_DIR overrides)."""
    if (ROOT / "pyproject.toml").exists():
        return ROOT / "instance"
    return Path(sys.prefix) / "var" / "fairheat-instance"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(instance_dir(_default_instance())),
        instance_relative_config=True,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    settings = (test_config or {}).get("FAIRHEAT") or load_settings(instance_path=app.instance_path)
    app.config.update(settings.flask_config())
    app.config.update(test_config or {})
    app.json.sort_keys = False  # type: ignore[attr-defined]

    if settings.proxy_hops:
        # Behind the reverse proxy: the client's address (rate limits) and scheme come from
        # the X-Forwarded-* headers of exactly this many trusted proxies.
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    register_extensions(app)
    register_edge(app)
    register_blueprints(app)
    register_domains(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    if app.config["FAIRHEAT"].run_scheduler:
        from service.scheduler import start_in_process

        start_in_process(app)
    return app


def register_extensions(app: Flask) -> None:
    from service.api import init_api
    from service.auth.services import load_user
    from service.db import ping_after_idle
    from service.sessions import CachedSerializerSessionInterface
    from service.validation import install_localized_messages

    app.session_interface = CachedSerializerSessionInterface()
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            ping_after_idle(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "service" / "migrations"))
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    # `current_user` reaches templates as Flask-Login's lazy proxy (service/templating.py), not
    # through its context processor, which loads the user for every page rendered.
    login_manager.init_app(app, add_context_processor=False)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # type: ignore[assignment]
    login_manager.user_loader(load_user)
    # Staff sign in for the browser session only: no remember-me cookie is ever set. Flask-Login
    # still reads the session after every response to keep one up to date. Both would mark the
    # session used and add "Vary: Cookie" to every page, public and webhook ones too (so no
    # shared cache could keep a public notice page), and cost every request; the hook goes.
    # (Flask-Login still honours a remember cookie a request brings, and logout would ask this
    # hook to clear it; none is ever issued, so none comes.)
    hooks = app.after_request_funcs.get(None, [])
    if login_manager._update_remember_cookie in hooks:
        hooks.remove(login_manager._update_remember_cookie)
    csrf.init_app(app)
    limiter.init_app(app)
    install_localized_messages()
    init_api(app)


def register_edge(app: Flask) -> None:
    """Request limits, input checks, security headers (service/edge/); before any route."""
    from service.edge import install

    install(app)


def register_blueprints(app: Flask) -> None:
    """The shell's own pages; each domain adds its own in register_domains."""
    from service.auth.admin import bp as users_bp
    from service.auth.routes import bp as auth_bp
    from service.health import bp as health_bp
    from service.public import bp as public_bp
    from service.staff import bp as staff_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(staff_bp)


def register_template_helpers(app: Flask) -> None:
    from service.templating import register

    register(app)


def register_commands(app: Flask) -> None:
    from service.cli import register

    register(app)
