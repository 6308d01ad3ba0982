"""Image-folder clips: indexing, loading, bad input and the index-frames command."""
import os
import warnings

import numpy as np
import pytest
from PIL import Image

from framepred_tf.cli import main
from framepred_tf.data import FrameFolderSequence, index_frames, render_moving_mnist_clips
from framepred_tf.data.frames import natural_key, read_index
from framepred_tf.errors import DataSourceError, FramepredError


def write_clip(folder, count, *, size=(16, 16), mode="RGB", start=0, ext="png"):
    """``count`` frames whose red channel encodes the frame number (10 * number)."""
    os.makedirs(folder, exist_ok=True)
    for number in range(start, start + count):
        pixels = np.zeros((size[1], size[0], 3), np.uint8)
        pixels[..., 0] = 10 * number
        pixels[..., 1] = 200
        image = Image.fromarray(pixels)
        if mode != "RGB":
            image = image.convert(mode)
        image.save(os.path.join(folder, f"frame{number}.{ext}"))


def test_natural_sort_and_sliding_windows(tmp_path):
    write_clip(tmp_path / "clip2", 12)  # frame0..frame11: 'frame10' must follow 'frame9'
    write_clip(tmp_path / "clip10", 5, ext="jpg")  # and folder 'clip10' must follow 'clip2'
    (tmp_path / "notes.txt").write_text("not a frame")
    sequences = index_frames(tmp_path, seq_len=4, stride=3)
    names = [[os.path.relpath(p, tmp_path) for p in sequence] for sequence in sequences]
    assert names[0] == [os.path.join("clip2", f"frame{i}.png") for i in range(4)]
    assert names[2] == [os.path.join("clip2", f"frame{i}.png") for i in (6, 7, 8, 9)]
    assert names[3] == [os.path.join("clip10", f"frame{i}.jpg") for i in range(4)]
    assert len(names) == 4  # window 9..12 of clip2 does not fit; clip10 has one window
    assert sorted(["frame10", "frame2", "Frame1"], key=natural_key) == ["Frame1", "frame2", "frame10"]
    assert len(index_frames(tmp_path, seq_len=4, stride=1)) == 9 + 2


def test_flat_folder_is_one_clip(tmp_path):
    write_clip(tmp_path, 6)
    assert len(index_frames(tmp_path, seq_len=5)) == 2


def test_short_clip_empty_and_missing_folders(tmp_path):
    write_clip(tmp_path / "long", 6)
    write_clip(tmp_path / "short", 2)
    with pytest.raises(FramepredError, match="short") as error:
        index_frames(tmp_path, seq_len=5)
    assert "2 frames" in str(error.value) and "\n" not in str(error.value)
    assert len(index_frames(tmp_path, seq_len=5, skip_bad=True)) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataSourceError, match=str(empty)):
        index_frames(empty)
    with pytest.raises(DataSourceError, match="does not exist"):
        index_frames(tmp_path / "absent")


def test_batches_convert_modes_resize_and_warn_once_on_mixed_sizes(tmp_path):
    write_clip(tmp_path / "a", 3, mode="L")
    write_clip(tmp_path / "b", 3, mode="RGBA", size=(24, 12))
    sequences = index_frames(tmp_path, seq_len=3)
    with pytest.warns(UserWarning, match="differ in size") as record:
        data = FrameFolderSequence(sequences, batch_size=2, image_size=8)
        frames, target = data[0]
        data[0]
    assert len([w for w in record if "differ in size" in str(w.message)]) == 1
    assert frames.shape == (2, 2, 8, 8, 3) and target.shape == (2, 8, 8, 3) and frames.dtype == np.float32
    gray = np.asarray(Image.open(sequences[0][2]).convert("RGB").resize((8, 8), Image.BILINEAR)) / 255
    np.testing.assert_allclose(target[0], gray, atol=1e-6)
    assert np.ptp(target[0], axis=-1).max() == 0  # grayscale: equal channels
    rgba = np.asarray(Image.open(sequences[1][1]).convert("RGB").resize((8, 8), Image.BILINEAR)) / 255
    np.testing.assert_allclose(frames[1, 1], rgba, atol=1e-6)
    assert abs(frames[1, 1, ..., 0].mean() - 10 / 255) < 1e-6 and abs(frames[1, 1, ..., 1].mean() - 200 / 255) < 1e-6


def test_corrupt_frame_raises_naming_the_file(tmp_path):
    write_clip(tmp_path / "clip", 5)
    bad = tmp_path / "clip" / "frame3.png"
    bad.write_bytes(bad.read_bytes()[:40])  # truncated PNG
    with pytest.raises(FramepredError, match="frame3.png"):
        index_frames(tmp_path, seq_len=2, verify=True)
    data = FrameFolderSequence(index_frames(tmp_path, seq_len=2), batch_size=1)
    data[1]  # window (1, 2) is fine; window (2, 3) holds the bad frame
    with pytest.raises(FramepredError, match=str(bad)) as error:
        data[2]
    assert "\n" not in str(error.value) and str(error.value).count(str(bad)) == 1


def test_skip_bad_replaces_bad_sequences_and_reports_once_per_epoch(tmp_path):
    write_clip(tmp_path / "clip", 6)
    bad = tmp_path / "clip" / "frame4.png"
    bad.write_bytes(b"\x89PNG garbage")
    sequences = index_frames(tmp_path, seq_len=2)  # windows (0,1) .. (4,5); 3 and 4 contain frame4
    assert len(sequences) == 5
    data = FrameFolderSequence(sequences, batch_size=5, image_size=16, skip_bad=True)
    frames, target = data[0]
    assert frames.shape == (5, 1, 16, 16, 3)
    starts = np.rint(frames[:, 0, 0, 0, 0] * 255 / 10).astype(int).tolist()
    assert starts == [0, 1, 2, 0, 0]  # bad windows 3 and 4 replaced by the next good ones (wrapping)
    assert data.skipped == {3, 4} and data.bad_files[0] == str(bad)
    with pytest.warns(UserWarning, match="skipped 2 sequence"):
        data.on_epoch_end()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data[0]
        data.on_epoch_end()  # known-bad sequences are not re-read or re-reported
    verified = index_frames(tmp_path, seq_len=2, skip_bad=True, verify=True)
    assert len(verified) == 3


def test_shuffle_is_reproducible_per_epoch(tmp_path):
    write_clip(tmp_path, 10)
    sequences = index_frames(tmp_path, seq_len=2)
    one = FrameFolderSequence(sequences, batch_size=9, image_size=16, shuffle=True, seed=3)
    two = FrameFolderSequence(sequences, batch_size=9, image_size=16, shuffle=True, seed=3)
    first = one[0][1]
    np.testing.assert_array_equal(first, two[0][1])
    one.on_epoch_end()
    assert not np.array_equal(first, one[0][1])
    two.set_epoch(1)
    np.testing.assert_array_equal(two[0][1], one[0][1])
    assert sorted(np.rint(first[:, 0, 0, 0] * 25.5).astype(int).tolist()) == list(range(1, 10))


def test_index_frames_cli_writes_tab_separated_index(tmp_path, capsys):
    write_clip(tmp_path / "frames" / "my clip", 5)
    write_clip(tmp_path / "frames" / "tiny", 1)
    out = tmp_path / "index.txt"
    status = main(["index-frames", str(tmp_path / "frames"), "--seq-len", "3", "--skip-bad", "--out", str(out)])
    assert status == 0
    printed = capsys.readouterr().out
    assert "2 clips" in printed and "3 sequences" in printed and "1 short clips" in printed
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(len(line.split("\t")) == 3 for line in lines)
    assert read_index(out)[1][0] == str(tmp_path / "frames" / "my clip" / "frame1.png")
    frames, target = FrameFolderSequence(str(out), batch_size=3, image_size=16)[0]
    assert frames.shape == (3, 2, 16, 16, 3)


@pytest.mark.parametrize("make_bad", ["corrupt", "short", "empty"])
def test_index_frames_cli_bad_input_exits_2_with_one_line(tmp_path, capsys, make_bad):
    folder = tmp_path / "frames"
    write_clip(folder / "clip", 4)
    if make_bad == "corrupt":
        (folder / "clip" / "frame2.png").write_bytes(b"broken")
    elif make_bad == "short":
        write_clip(folder / "clip2", 1)
    else:
        folder = tmp_path / "nothing"
        folder.mkdir()
    out = tmp_path / "index.txt"
    status = main(["index-frames", str(folder), "--seq-len", "3", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2 and not out.exists()
    assert err.startswith("framepred-tf: error: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_render_moving_mnist_clips(tmp_path):
    folder = render_moving_mnist_clips(tmp_path / "clips", num_clips=2, frames_per_clip=4, image_size=32, seed=1)
    clip_dirs = sorted(os.listdir(folder))
    assert clip_dirs == ["clip_000", "clip_001"]
    assert sorted(os.listdir(os.path.join(folder, "clip_001"))) == [f"frame_{t:04d}.png" for t in range(4)]
    image = Image.open(os.path.join(folder, "clip_000", "frame_0002.png"))
    assert image.mode == "RGB" and image.size == (32, 32)
    pixels = np.asarray(image).astype(int)
    assert pixels.max() > 150 and np.ptp(pixels, axis=-1).max() > 50  # coloured, not gray
    sequences = index_frames(folder, seq_len=3)
    assert len(sequences) == 4
    again = render_moving_mnist_clips(tmp_path / "again", num_clips=2, frames_per_clip=4, image_size=32, seed=1)
    np.testing.assert_array_equal(np.asarray(Image.open(os.path.join(again, "clip_000", "frame_0002.png"))),
                                  np.asarray(image))
