"""Every Flask extension, unbound; create_app() binds them."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from service import rate_limits  # noqa: F401 (memory:// without a timer thread per hit)
from service.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
# Limits are checked only where a view asks (limiter.check()), not in a hook on every request:
# public pages are cached and must cost as little as a request can (bench/public_pages.py).
limiter = Limiter(key_func=get_remote_address, default_limits=[], auto_check=False)
