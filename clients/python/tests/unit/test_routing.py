from conftest import assignment_arm_rows, assignment_rows
from promptloop_agent import Instruction, assignment, route

BASE = {
    "event_id": "e",
    "occurred_at": 1,
    "agent": {"agent_name": "hr-assistant", "predictor_name": None},
    "active_instruction_id": "base-id",
    "active_version": 1,
    "instruction_text": "be brief",
    "instruction_hash": "h",
    "test": None,
    "reason": "rolled_out",
}


def with_test(split, salt="test-salt", **extra):
    test = {
        "test_id": "t-1",
        "salt": salt,
        "traffic_split": split,
        "treatment_instruction_id": "treat-id",
        "treatment_version": 2,
        "treatment_text": "be brief and cite",
    }
    test.update(extra)
    return dict(BASE, test=test)


def test_without_a_test_every_unit_gets_the_active_instruction():
    routed = route(BASE, "anyone")
    assert routed.variant == "baseline" and routed.instruction == Instruction("base-id", 1, "be brief")
    assert routed.test_id is None


def test_should_route_the_fixture_units_by_their_buckets():
    for salt, unit, bucket, _ in assignment_rows():
        for split in (0.0, bucket / 10_000, (bucket + 1) / 10_000, 1.0):
            routed = route(with_test(split, salt), unit)
            in_treatment = bucket < assignment.threshold(split)
            assert routed.variant == ("treatment" if in_treatment else "baseline"), (salt, unit, split)
            assert routed.bucket == bucket and routed.test_id == "t-1"
            assert routed.instruction.id == ("treat-id" if in_treatment else "base-id")
    # bucket 5863 (test-salt, carol): in at 0.5864, out at 0.5863
    assert route(with_test(0.5864), "carol").instruction == Instruction("treat-id", 2, "be brief and cite")
    assert route(with_test(0.5863), "carol").variant == "baseline"


def test_should_read_records_with_fields_it_does_not_know():
    # a later BACKWARD-compatible routing schema may add fields: read by name, the rest ignored
    record = dict(with_test(1.0, arms=None, other=[{"name": "x"}]), new_field="ignored")
    assert route(record, "u").variant == "treatment"


def arm(variant, weight, n):
    return {"variant": variant, "instruction_id": f"arm-{n}", "version": n, "text": f"text {n}", "weight": weight}


def test_should_route_the_k_arm_fixture_by_cumulative_weights():
    for salt, unit, weights, bucket, expected in assignment_arm_rows():
        listed = [arm("treatment" if i == 0 else f"treatment_{i + 1}", w, i + 1) for i, w in enumerate(weights)]
        routed = route(with_test(weights[0], salt, arms=listed), unit)
        assert routed.bucket == bucket, (salt, unit)
        assert routed.variant == ("baseline" if expected == 0 else listed[expected - 1]["variant"]), (salt, unit, weights)
        assert routed.instruction.id == ("base-id" if expected == 0 else f"arm-{expected}")


def test_one_listed_arm_routes_as_the_two_arm_fields():
    for salt, unit, bucket, _ in assignment_rows():
        for split in (0.0, bucket / 10_000, (bucket + 1) / 10_000, 1.0):
            two = route(with_test(split, salt), unit)
            listed = route(with_test(split, salt, arms=[arm("treatment", split, 1)]), unit)
            assert listed.variant == two.variant, (salt, unit, split)
