"""check_setup.py in mnist: the checks every chapter has, plus torchvision and the MNIST files."""
import check_setup
from digits.mnist_data import FILE_NAMES


def test_mnist_files_missing_is_a_note_with_what_to_do(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(check_setup, "DEFAULT_DATA_DIR", tmp_path / "data")
    code = check_setup.main([])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""  # train.py downloads MNIST: nothing blocks the chapter
    raw = tmp_path / "data" / "MNIST" / "raw"
    assert f"note    MNIST:       not here yet ({', '.join(FILE_NAMES)} missing in {raw})" in out
    assert f"-> without a network: put the four IDX files into {raw}, or pass their folder as --data-dir" in out
    assert "ok      torchvision: " in out
    assert out.rstrip().endswith("This chapter can run here.")


def test_mnist_files_found(capsys, tmp_path, monkeypatch):
    raw = tmp_path / "data" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in FILE_NAMES:
        (raw / name).write_bytes(b"")
    (raw / FILE_NAMES[0]).unlink()
    monkeypatch.setattr(check_setup, "DEFAULT_DATA_DIR", tmp_path / "data")
    check_setup.main([])
    out = capsys.readouterr().out
    assert f"not here yet ({FILE_NAMES[0]} missing in {raw})" in out  # one file missing: named
    (raw / FILE_NAMES[0]).write_bytes(b"")
    code = check_setup.main([])
    out = capsys.readouterr().out
    assert code == 0 and f"ok      MNIST:       the four files are in {raw}\n" in out
