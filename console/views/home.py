"""The home page."""
from flask_appbuilder import IndexView


class HomeView(IndexView):
    index_template = "console/home.html"
