"""CLI faults: unwritable outputs refused before the work, pictures named as written, bounded
dpi, a colour scale for many elements, Ctrl-C without a traceback or a half-written file."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from eqsolve import safeio
from eqsolve.cli import main
from eqsolve.groups import S
from eqsolve.reps import V
from eqsolve.viz import MAX_DPI, draw_basis

ROOT = Path(__file__).resolve().parents[2]


def test_show_out_without_extension_says_the_file_it_wrote(tmp_path, capsys):
    out = tmp_path / "x"
    assert main(["show", "S(3)", "V", "V", "--out", str(out)]) == 0
    written = tmp_path / "x.png"
    assert written.read_bytes()[:4] == b"\x89PNG" and not out.exists()
    assert f"wrote {written}:" in capsys.readouterr().out


def test_show_unknown_extension_is_refused_before_solving(tmp_path, capsys, monkeypatch):
    def never(*a, **k):
        raise AssertionError("solved before checking the output")

    monkeypatch.setattr("eqsolve.reps.base.Rep.equivariant_basis", never)
    assert main(["show", "S(3)", "V", "V", "--out", str(tmp_path / "x.jpgg")]) == 2
    err = capsys.readouterr().err
    assert "'.jpgg' is not a picture format" in err and ".png" in err


@pytest.mark.parametrize("dpi", ["100000", "0", "-5", "abc"])
def test_show_dpi_is_bounded(tmp_path, capsys, dpi):
    with pytest.raises(SystemExit) as ex:
        main(["show", "S(3)", "V", "V", "--out", str(tmp_path / "a.png"), "--dpi", dpi])
    assert ex.value.code == 2
    assert f"--dpi must be an integer from 1 to {MAX_DPI}" in capsys.readouterr().err
    assert not (tmp_path / "a.png").exists()


def test_save_refuses_a_picture_of_too_many_pixels(tmp_path):
    from eqsolve.viz import save_basis_picture

    basis = (V >> V)(S(3)).equivariant_basis()
    with pytest.raises(ValueError, match=r"pixels .*use dpi <= \d+ or a vector format"):
        save_basis_picture(basis, tmp_path / "big.png", dpi=MAX_DPI)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "S(3)", "V", "V", "--out", "{d}/file/pic.png"],
        ["verify", "exchangeable", "2", "3", "--out", "{d}/file/pic.png"],
    ],
)
def test_outputs_under_a_file_are_refused_before_the_work(tmp_path, capsys, monkeypatch, argv):
    (tmp_path / "file").write_text("not a directory")

    def never(*a, **k):
        raise AssertionError("worked before checking the output")

    monkeypatch.setattr("eqsolve.reps.base.Rep.equivariant_basis", never)
    monkeypatch.setattr("eqsolve.verify.exchangeable", never)
    argv = [a.format(d=tmp_path) for a in argv]
    assert main(argv) == 2
    assert f"{tmp_path / 'file'} does not exist" in capsys.readouterr().err


def test_read_only_output_directory_is_refused_before_solving(tmp_path, capsys, monkeypatch):
    """Read-only simulated by the probe's mkstemp failing with EROFS (root ignores chmod)."""

    def read_only(*a, **k):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(safeio.tempfile, "mkstemp", read_only)
    monkeypatch.setattr(
        "eqsolve.reps.base.Rep.equivariant_basis", lambda *a, **k: pytest.fail("solved before checking the output")
    )
    assert main(["show", "S(3)", "V", "V", "--out", str(tmp_path / "a.png")]) == 2
    err = capsys.readouterr().err
    assert "cannot write the picture" in err and "Read-only file system" in err and "choose a writable" in err


def test_full_disk_while_writing_leaves_no_file_and_no_traceback(tmp_path, capsys, monkeypatch):
    real = os.fdopen

    class Full:
        def __init__(self, fd, mode):
            self.fh = real(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(safeio.os, "fdopen", Full)
    out = tmp_path / "a.png"
    assert main(["show", "S(3)", "V", "V", "--out", str(out)]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # no picture, no temp file


def test_many_elements_get_a_colour_scale():
    basis = (V**2 >> V**2)(S(4)).equivariant_basis()  # 15 elements: a legend
    fig = draw_basis(basis)
    assert fig.axes[0].get_legend() is not None and len(fig.axes) == 1
    many = (V**3 >> V**2)(S(5)).equivariant_basis()  # Bell(5) = 52 elements: a colour scale
    assert many.dim == 52
    fig = draw_basis(many)
    assert fig.axes[0].get_legend() is None and len(fig.axes) == 2
    assert "basis element index (0..51" in fig.axes[1].get_ylabel()


def test_ctrl_c_stops_cleanly_without_a_half_written_file(tmp_path):
    marker = tmp_path / "started"
    out = tmp_path / "pic.png"
    code = textwrap.dedent(f"""
        import sys, time, pathlib
        import eqsolve.viz as viz
        real = viz.draw_basis
        def slow(*a, **k):
            pathlib.Path({str(marker)!r}).write_text("1")
            time.sleep(120)
        viz.draw_basis = slow
        from eqsolve.cli import main
        sys.exit(main(["show", "S(3)", "V", "V", "--out", {str(out)!r}]))
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    try:
        for _ in range(1200):  # the child is busy in the slow step once the marker exists
            if marker.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), proc.communicate()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in err and "interrupted" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["started"]
