"""Root API tokens for tests: the conformance corpus's mint_token (Datasette's dstok_ format)."""
import importlib.util
import time

from almanac_server import shared_dir


def _mint_module():
    path = shared_dir() / "conformance" / "tools" / "mint_token.py"
    spec = importlib.util.spec_from_file_location("mint_token", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def root_token(secret, actor="root", **kwargs):
    """A dstok_ token for `actor`, signed with `secret`, created now."""
    return _mint_module().mint(secret, actor, t=int(time.time()), **kwargs)
