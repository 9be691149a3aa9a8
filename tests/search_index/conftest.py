import pytest

from search_index import rebuild
from tests.search_index.small_corpus import CORPUS


@pytest.fixture(scope="session")
def built_index(tmp_path_factory):
    """Return a directory holding an index of the hand-written corpus (built once)."""
    path = tmp_path_factory.mktemp("index")
    rebuild(path, CORPUS, len(CORPUS), procs=1)
    return path


@pytest.fixture
def fresh_index(tmp_path):
    """Return a directory with its own index of the corpus, for tests that change it."""
    rebuild(tmp_path, CORPUS, len(CORPUS), procs=1)
    return tmp_path
