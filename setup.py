"""Build hook: every wheel (and `pip install .`) carries the compiled French and English catalogues.

The metadata lives in pyproject.toml; this only makes `build_py` compile
translations/<lang>/LC_MESSAGES/*.po into console/catalogues/ of the build.
"""
import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _compiler():
    spec = importlib.util.spec_from_file_location("compile_catalogues", HERE / "scripts" / "compile_catalogues.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildWithCatalogues(build_py):
    def run(self):
        super().run()
        compiler = _compiler()
        # An editable install reads the package from the source folder; a wheel from build_lib.
        package_dir = HERE if self.editable_mode else Path(self.build_lib)
        compiler.compile_catalogues(HERE / "translations", package_dir / "console" / "catalogues")


setup(cmdclass={"build_py": BuildWithCatalogues})
