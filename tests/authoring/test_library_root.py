"""library_root_for: the folder a scenario file was found in (its includes stay inside it), the
same whether the caller gives the folders resolved (a report: every file of the library) or not."""

from __future__ import annotations

from pathlib import Path

import pytest

from casesim.authoring.pipeline import library_root_for


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    library = tmp_path / "library"
    (library / "crisis").mkdir(parents=True)
    other = tmp_path / "other"
    other.mkdir()
    linked = tmp_path / "linked"
    linked.symlink_to(library, target_is_directory=True)
    files = {"top": library / "a.yaml", "nested": library / "crisis" / "b.yaml", "alone": other / "c.yaml",
             "through link": linked / "crisis" / "b.yaml"}
    for file in files.values():
        if not file.exists():
            file.write_text("id: x\n", encoding="utf-8")
    return {"library": library, "linked": linked, "other": other, **files}


@pytest.mark.parametrize("name", ["top", "nested", "alone", "through link"])
@pytest.mark.parametrize("folders", [["library"], ["linked"], ["library", "alone"], ["alone", "other"]])
def test_resolved_folders_give_the_same_root(tree: dict[str, Path], name: str, folders: list[str]) -> None:
    file, named = tree[name], [tree[f] for f in folders]
    real_folders = {f: f.resolve() for f in named if f.is_dir()}
    expected = library_root_for(file, named)
    assert library_root_for(file, named, real=file.resolve(), real_folders=real_folders) == expected


def test_the_root_is_the_folder_named_or_none_for_a_file_named_on_its_own(tree: dict[str, Path]) -> None:
    assert library_root_for(tree["nested"], [tree["library"]]) == tree["library"]
    assert library_root_for(tree["through link"], [tree["linked"]]) == tree["linked"]
    assert library_root_for(tree["alone"], [tree["library"], tree["alone"]]) is None
