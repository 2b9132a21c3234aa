import csv
import json
import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "clients" / "python" / "src"))

CONTRACT = pathlib.Path(os.environ.get("PROMPTLOOP_CONTRACT_DIR", ROOT / "clients" / "target" / "contract"))
ASSIGNMENT_FIXTURE = ROOT / "schemas" / "src" / "test" / "resources" / "assignment-buckets.csv"
ARMS_FIXTURE = ROOT / "schemas" / "src" / "test" / "resources" / "assignment-arms.csv"


def contract(name):
    """A fixture written by the Java build (module clients, ContractExport)."""
    path = CONTRACT / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: build module clients (./mvnw -pl clients -am process-classes)")
    return json.loads(path.read_text(encoding="utf-8"))


def assignment_rows():
    """(salt, unit, bucket, first 8 bytes hex) from the fixture the Java AssignmentTest reads."""
    rows = []
    with open(ASSIGNMENT_FIXTURE, encoding="utf-8", newline="") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            salt, unit, bucket, hexa = next(csv.reader([line.rstrip("\n")], delimiter="|", quotechar='"'))
            rows.append((salt, unit, int(bucket), hexa))
    return rows


def assignment_arm_rows():
    """(salt, unit, treatment weights, bucket, arm) from the K-arm fixture the Java AssignmentTest reads."""
    rows = []
    with open(ARMS_FIXTURE, encoding="utf-8", newline="") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            salt, unit, weights, bucket, arm = line.rstrip("\n").split("|")
            rows.append((salt, unit, [float(w) for w in weights.split(" ")], int(bucket), int(arm)))
    return rows
