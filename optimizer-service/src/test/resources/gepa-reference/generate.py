"""Writes fronts.jsonl: parent-selection cases computed by the reference GEPA implementation itself.

Usage: python3 generate.py <gepa checkout>/src > fronts.jsonl
(gepa-ai/gepa at commit b265bf9ca77fd8e8d82039d9f74911b8780fe1ce; imports only the standard library.)

Each line is one case: the score matrix (and a "cost" objective, lower is better, given to GEPA negated so that
higher is better), the frontier type, and what the reference computes: GEPAState builds the fronts
(get_pareto_front_mapping), per_program_tracked_scores are the aggregates, remove_dominated_programs drops
programs, and the frequency is counted the way select_program_candidate_from_pareto_front builds its sampling
list (program -> number of fronts it remains on, in the reference's dict order).
"""
import json
import random
import sys

sys.path.insert(0, sys.argv[1])
from gepa.core.state import GEPAState, ValsetEvaluation  # noqa: E402
from gepa.gepa_utils import remove_dominated_programs  # noqa: E402


def evaluation(scores, costs):
    return ValsetEvaluation(
        outputs_by_val_id={e: None for e in range(len(scores))},
        scores_by_val_id={e: s for e, s in enumerate(scores)},
        objective_scores_by_val_id={e: {"score": s, "cost": -c} for e, (s, c) in enumerate(zip(scores, costs))},
    )


def reference(frontier_type, matrix, costs):
    state = GEPAState({"p": "0"}, evaluation(matrix[0], costs[0]), frontier_type=frontier_type)
    for p in range(1, len(matrix)):
        state.update_state_with_new_program([0], {"p": str(p)}, evaluation(matrix[p], costs[p]), None, 0, iteration_id=str(p))
    fronts = state.get_pareto_front_mapping()
    kept = remove_dominated_programs(fronts, scores=state.per_program_tracked_scores)
    frequency = {}
    for front in kept.values():
        for p in front:
            frequency[p] = frequency.get(p, 0) + 1
    return [[p, n] for p, n in frequency.items()]


def emit(name, matrix, costs=None):
    costs = costs or [[0.0] * len(row) for row in matrix]
    for frontier_type in ("instance", "objective", "hybrid", "cartesian"):
        print(json.dumps({
            "case": name,
            "frontierType": frontier_type,
            "scores": matrix,
            "cost": costs,
            "frequency": reference(frontier_type, matrix, costs),
        }))


# the examples of issue 11
emit("three exact ties", [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]])
emit("triangle", [[1.0, 1.0, 0.0], [0.2, 1.0, 1.0], [1.0, 0.1, 1.0]])
emit("4x5", [
    [1.0, 1.0, 0.5, 0.5, 0.0],
    [1.0, 0.5, 1.0, 0.5, 0.5],
    [0.5, 1.0, 1.0, 1.0, 0.5],
    [0.0, 0.5, 0.5, 1.0, 1.0],
])
# random matrices with many ties (scores in quarter steps, costs in 1..3)
rng = random.Random(20261206)
for i in range(120):
    programs = rng.randint(2, 7)
    examples = rng.randint(1, 6)
    matrix = [[rng.choice([0.0, 0.25, 0.5, 0.75, 1.0]) for _ in range(examples)] for _ in range(programs)]
    costs = [[float(rng.randint(1, 3)) for _ in range(examples)] for _ in range(programs)]
    emit("random %d" % i, matrix, costs)
