"""End to end: eqsolve basis / verify / show."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from eqsolve.cli import main  # noqa: E402


def test_basis(capsys):
    assert main(["basis", "S(4)", "T(2)", "T(2)"]) == 0
    out = capsys.readouterr().out
    assert "dim      15" in out and "pattern" in out and "seconds" in out and "0123" in out


def test_basis_product_and_errors(capsys):
    assert main(["basis", "S(3)xS(4)", "V@0*V@1", "V@0*V@1"]) == 0
    assert "dim      4" in capsys.readouterr().out
    assert main(["basis", "S(3", "V", "V"]) == 2
    err = capsys.readouterr().err
    assert "position 3" in err and "^" in err


def test_verify_exchangeable(capsys):
    assert main(["verify", "exchangeable", "3", "4"]) == 0
    out = capsys.readouterr().out
    assert "Theorem 5.1" in out and "ALL CLAIMS HOLD" in out and "one-hot" in out


def test_verify_joint_and_equivariance(capsys):
    assert main(["verify", "joint", "3"]) == 0
    assert "14" in capsys.readouterr().out
    assert main(["verify", "equivariance", "SO(3)", "V**2", "V"]) == 0
    out = capsys.readouterr().out
    assert "Lie-algebra generators" in out and "generic W" in out
    assert main(["verify", "basis", "Z(5)", "T(2)", "V"]) == 0
    assert "burnside" in capsys.readouterr().out


def test_verify_permutations(capsys):
    assert main(["verify", "permutations", "Z(4)", "--perm", "1,2,3,0", "--perm", "1,0,2,3"]) == 0
    assert main(["verify", "permutations", "A(4)", "--illegal", "2", "--legal", "1"]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_show_png(tmp_path, capsys):
    out = tmp_path / "basis.png"
    assert main(["show", "S(4)", "T(2)", "T(2)", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "15 tied weights" in capsys.readouterr().out
    out2 = tmp_path / "so3.png"
    assert main(["show", "SO(3)", "T(2)", "T(2)", "-o", str(out2)]) == 0
    assert out2.stat().st_size > 1000


def test_verify_exchangeable_picture_and_json(tmp_path, capsys):
    import json

    out = tmp_path / "ws.png"
    assert main(["verify", "exchangeable", "2", "3", "--out", str(out), "--json"]) == 0
    text = capsys.readouterr().out
    data = json.loads(text[: text.rindex("}") + 1])
    assert data["passed"] is True and any(c["claim"].startswith("(c)") for c in data["checks"])
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert main(["verify", "exchangeable", "1", "5"]) == 0
