"""Download helper against a local HTTP server (never the real network)."""

import hashlib
import http.server
import io
import threading
import zipfile
from functools import partial

import pytest

from eqsolve.ratings.data.download import MOVIELENS, ChecksumError, download, fetch_movielens, sha256_file


@pytest.fixture()
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.RequestHandlerClass.log_message = lambda *a, **k: None
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_download_verifies_checksum_and_rejects_corruption(server, tmp_path):
    root, url = server
    payload = b"1\t1\t5\t881250949\n" * 1000
    (root / "u.data").write_bytes(payload)
    good = hashlib.sha256(payload).hexdigest()
    dest = tmp_path / "out" / "u.data"
    assert download(f"{url}/u.data", dest, good) == dest
    assert dest.read_bytes() == payload and sha256_file(dest) == good
    # already there with the right digest: kept without a request
    (root / "u.data").unlink()
    assert download(f"{url}/u.data", dest, good) == dest
    # a corrupted file is rejected and nothing is left behind
    (root / "bad").write_bytes(payload[:-1] + b"X")
    dest2 = tmp_path / "out" / "bad"
    with pytest.raises(ChecksumError, match="checksum"):
        download(f"{url}/bad", dest2, good)
    assert not dest2.exists()
    assert [p.name for p in dest.parent.iterdir()] == ["u.data"]  # no temp files


def test_fetch_movielens_unzips_after_verification(server, tmp_path):
    root, url = server
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("ml-100k/u1.base", "1\t2\t3\t4\n")
        z.writestr("ml-100k/u1.test", "1\t3\t4\t5\n")
    (root / "ml-100k.zip").write_bytes(buf.getvalue())
    digest = hashlib.sha256(buf.getvalue()).hexdigest()
    with pytest.raises(ChecksumError):
        fetch_movielens("ml-100k", tmp_path / "d1", url=f"{url}/ml-100k.zip", sha256="0" * 64)
    assert not (tmp_path / "d1" / "ml-100k").exists()
    folder = fetch_movielens("ml-100k", tmp_path / "d2", url=f"{url}/ml-100k.zip", sha256=digest)
    assert (folder / "u1.base").read_text() == "1\t2\t3\t4\n"
    assert MOVIELENS["ml-100k"]["url"].startswith("https://files.grouplens.org/")
    assert len(MOVIELENS["ml-100k"]["sha256"]) == 64
    with pytest.raises(ValueError):
        fetch_movielens("ml-5k", tmp_path)
