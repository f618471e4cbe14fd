"""/api/docs: Swagger UI served from this app (service/static/swagger-ui/), no other host."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from flask.testing import FlaskClient

DOCS = "http://localhost/api/docs"
CONTENT_TYPES = {
    ".css": {"text/css"},
    ".js": {"text/javascript", "application/javascript"},
}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value]


def links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.urls


def test_docs_page_loads_swagger_ui_from_this_app_only(client: FlaskClient) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "://" not in html  # no absolute URL anywhere, inline script included

    urls = links(html)
    names = {urlsplit(url).path.rsplit("/", 1)[-1] for url in urls}
    vendored = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"}
    # fairheat-init.js is ours: it starts Swagger UI without an inline script (CSP, D9)
    assert names == vendored | {"fairheat-init.js"}
    for url in urls:
        absolute = urlsplit(urljoin(DOCS, url))
        assert absolute.netloc == "localhost", url
        assert absolute.path.startswith("/static/swagger-ui/"), url

        asset = client.get(absolute.path)
        assert asset.status_code == 200, url
        suffix = "." + absolute.path.rsplit(".", 1)[-1]
        assert asset.mimetype in CONTENT_TYPES[suffix], (url, asset.mimetype)
        assert len(asset.get_data()) > (1000 if url.endswith(tuple(vendored)) else 100), url
        asset.close()


def test_docs_page_reads_the_spec_from_this_app(client: FlaskClient) -> None:
    html = client.get("/api/docs").get_data(as_text=True)
    match = re.search(r'"url": "([^"]+)"', html)
    assert match, html
    spec = urlsplit(urljoin(DOCS, match.group(1)))
    assert spec.netloc == "localhost"
    response = client.get(spec.path)
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json()["info"]["title"] == "fairheat"
    assert '"validatorUrl": null' in html  # Swagger UI's online validator badge stays off


def test_docs_page_runs_no_inline_script(client: FlaskClient) -> None:
    """D9/D19: the Content-Security-Policy allows no inline script; the settings are JSON data
    and service/static/swagger-ui/fairheat-init.js starts Swagger UI."""
    response = client.get("/api/docs")
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'self'
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.get_data(as_text=True), re.S)
    for attributes, _body in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes


def test_assets_follow_the_mount_prefix(client: FlaskClient) -> None:
    """Behind a proxy that mounts the app under a prefix, the assets are found there too."""
    response = client.get("/api/docs", environ_overrides={"SCRIPT_NAME": "/heat"})
    assert response.status_code == 200
    urls = links(response.get_data(as_text=True))
    assert urls
    assert all(url.startswith("/heat/static/swagger-ui/") for url in urls), urls
