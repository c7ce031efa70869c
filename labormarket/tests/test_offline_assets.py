"""Government networks are closed: no page may load anything from another host."""

import re

import pytest

ASSET = re.compile(r'(?:src|href)="([^"]+\.(?:js|css|png|woff2?))"')


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/api/docs/"])
def test_pages_load_assets_from_this_server_only(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assets = ASSET.findall(response.content.decode())
    assert assets, "the page should load its own styles and scripts"
    assert [a for a in assets if not a.startswith("/static/")] == []
