import pytest

from conftest import assignment_rows, contract
from promptloop_agent import assignment


@pytest.mark.parametrize("salt,unit,expected,first8", assignment_rows())
def test_should_bucket_like_the_shell_reference(salt, unit, expected, first8):
    assert int(first8, 16) % 10_000 == expected  # the fixture row agrees with itself
    assert assignment.bucket(salt, unit) == expected


@pytest.mark.parametrize("row", contract("thresholds.json"), ids=lambda r: str(r["split"]))
def test_should_round_the_threshold_half_up_like_java(row):
    # thresholds.json holds Java's Math.round(split × 10,000); ties like 0.00005 × 10,000 = 0.5 round up there,
    # where Python's round() would give 0
    assert assignment.threshold(row["split"]) == row["threshold"]


def test_python_round_would_differ_on_a_tie():
    assert round(0.00005 * 10_000) == 0
    assert assignment.threshold(0.00005) == 1


def test_should_put_buckets_below_the_threshold_in_treatment():
    assert assignment.bucket("salt", "user-1") == 9251
    assert assignment.is_treatment("salt", "user-1", 0.9252)
    assert not assignment.is_treatment("salt", "user-1", 0.9251)
    assert all(not assignment.is_treatment("edge", f"u{i}", 0.0) for i in range(200))
    assert all(assignment.is_treatment("edge", f"u{i}", 1.0) for i in range(200))


@pytest.mark.parametrize("split", [-0.1, 1.5, float("nan")])
def test_should_reject_a_split_outside_the_unit_interval(split):
    with pytest.raises(ValueError, match="traffic split"):
        assignment.threshold(split)
