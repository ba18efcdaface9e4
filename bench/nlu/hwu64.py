"""HWU64 (64 intents of a home assistant) in the evaluation-set format of the benchmarks README.

    python bench/nlu/hwu64.py [FOLDER] [-o OUT.json]

Source: X. Liu, A. Eshghi, P. Swietojanski, V. Rieser, "Benchmarking Natural Language Understanding
Services for building Conversational Agents" (IWSDS 2019), data in github.com/xliuhw/NLU-Evaluation-Data,
licence CC BY 4.0 (attribution: the authors above). Fold 1 of its 10-fold split is
``CrossValidation/autoGeneFromRealAnno/autoGene_2018_03_22-13_01_25_169/CrossValidation/KFold_1/``:
``testset/csv/<scenario>_<intent>.csv`` and ``trainset/<scenario>_<intent>.csv``, one file per intent,
``;``-separated, columns ``answerid;scenario;intent;answer_annotation;...``, slots written inline as
``[slot : value]``. The files are third-party data: keep them outside the repository, by default in
``~/.cache/chatops/corpora/hwu64/KFold_1/{testset,trainset}/`` (the csv files directly in each folder).

Intents are named ``scenario_intent`` (``alarm_set``); the text is the annotation with each
``[slot : value]`` replaced by its value, and each value becomes a span named by its slot. A folder
with no trainset gives an empty train list: such a set is for ``run.py --folds K`` and ``entities.py``,
which pool train and test.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

DEFAULT = Path.home() / ".cache" / "chatops" / "corpora" / "hwu64" / "KFold_1"
SOURCE = ("HWU64, Liu et al. 2019 (github.com/xliuhw/NLU-Evaluation-Data, CC BY 4.0), "
          "10-fold split autoGene_2018_03_22-13_01_25_169, KFold_1")
SLOT = re.compile(r"\[\s*([^\[\]:]+?)\s*:\s*([^\[\]]*?)\s*\]")


def parse_annotation(annotation: str) -> tuple[str, list[dict[str, Any]]]:
    """``"wake me at [time : five am]"`` -> ``("wake me at five am", [{"entity": "time", "start": 11, ...}])``."""
    text, entities, position = [], [], 0
    length = 0
    for match in SLOT.finditer(annotation):
        before = annotation[position : match.start()]
        text.append(before)
        length += len(before)
        slot, value = match.group(1), match.group(2)
        if value:
            entities.append({"entity": slot, "start": length, "end": length + len(value), "value": value})
        text.append(value)
        length += len(value)
        position = match.end()
    text.append(annotation[position:])
    joined = "".join(text)
    stripped = joined.strip()
    offset = len(joined) - len(joined.lstrip())
    if offset or stripped != joined:
        entities = [{**e, "start": e["start"] - offset, "end": e["end"] - offset} for e in entities]
    return stripped, [e for e in entities if 0 <= e["start"] < e["end"] <= len(stripped)]


def read_csv(text: str, *, where: str = "") -> list[dict[str, Any]]:
    """The examples of one intent file (header ``answerid;scenario;intent;answer_annotation;...``)."""
    examples = []
    for row in csv.DictReader(io.StringIO(text), delimiter=";", quotechar='"'):
        annotation = (row.get("answer_annotation") or "").strip()
        scenario, intent = (row.get("scenario") or "").strip(), (row.get("intent") or "").strip()
        if not annotation or not scenario or not intent:
            print(f"{where}: skipped a row without annotation, scenario or intent: {row}", file=sys.stderr)
            continue
        utterance, entities = parse_annotation(annotation)
        if utterance:
            examples.append({"text": utterance, "intent": f"{scenario}_{intent}", "entities": entities})
    return examples


def read_folder(folder: Path) -> list[dict[str, Any]]:
    if not folder.is_dir():
        return []
    csv_folder = folder / "csv" if (folder / "csv").is_dir() else folder
    examples = []
    for path in sorted(csv_folder.glob("*.csv")):
        examples.extend(read_csv(path.read_text(encoding="utf-8"), where=str(path)))
    return examples


def convert(folder: Path) -> dict[str, Any]:
    train, test = read_folder(folder / "trainset"), read_folder(folder / "testset")
    if not test:
        sys.exit(f"{folder / 'testset'}: no csv files")
    name = "hwu64-fold1" if train else "hwu64-fold1-test"
    return {"name": name, "source": SOURCE + ("" if train else ", test set only"), "train": train, "test": test}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", default=str(DEFAULT), help="the KFold_1 folder (testset/, trainset/)")
    parser.add_argument("-o", "--output", help="the JSON to write (default: FOLDER/../<name>.json)")
    args = parser.parse_args()
    folder = Path(args.folder).expanduser()
    data = convert(folder)
    out = Path(args.output) if args.output else folder.parent / f"{data['name']}.json"
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    intents = {e["intent"] for e in data["train"] + data["test"]}
    spans = sum(len(e["entities"]) for e in data["train"] + data["test"])
    print(f"{out}: {len(data['train'])} train, {len(data['test'])} test, {len(intents)} intents, {spans} spans")


if __name__ == "__main__":
    main()
