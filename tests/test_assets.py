"""The style sheets and scripts a page links, remembered per application root (console/views/assets.py)."""


def test_pages_link_their_static_files_under_the_root_they_are_served_from(client):
    served_at_root = client.get("/login/").get_data(as_text=True)
    under_prefix = client.get("/login/", base_url="http://localhost/console/").get_data(as_text=True)
    at_root_again = client.get("/login/").get_data(as_text=True)

    assert 'href="/static/appbuilder/css/bootstrap.min.css"' in served_at_root
    assert 'href="/console/static/appbuilder/css/bootstrap.min.css"' in under_prefix
    assert 'src="/console/static/console.js"' in under_prefix and 'src="/static/console.js"' not in under_prefix
    assert 'href="/console/static/' not in at_root_again
