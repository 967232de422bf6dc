"""Totals kept in several processes add up to one exact total (docs/ray.md).

Workers return either a column of reported costs (``sum_costs``) or their ``UsageTotals``
(pickled, then ``merge``d). Either way the sum is the decimal sum of the numbers on the wire,
which a float sum is not.
"""

from __future__ import annotations

import pickle
import threading
from decimal import Decimal

import pytest

from openrouter_core.decode import Usage
from openrouter_core.errors import InputError
from openrouter_core.totals import Tally, UsageTotals, exact_cost, sum_costs


def usage(cost: float, prompt: int = 10, completion: int = 5, **more: object) -> Usage:
    return Usage(prompt_tokens=prompt, completion_tokens=completion, cost=cost, **more)  # type: ignore[arg-type]


def test_exact_cost_reads_the_digits_the_server_wrote() -> None:
    assert exact_cost(0.1) == Decimal("0.1")  # not 0.1000000000000000055511151231257827...
    assert exact_cost(1.4e-05) == Decimal("0.000014")
    assert exact_cost("0.000123") == Decimal("0.000123")
    assert exact_cost(Decimal("2.5E-7")) == Decimal("2.5E-7")
    assert exact_cost(0) == 0


def test_exact_cost_reads_numpy_floats_like_python_floats() -> None:
    np = pytest.importorskip("numpy")
    # A float64 column (Arrow, pandas, ray.data) gives numpy scalars; NumPy 2 spells their
    # repr "np.float64(0.1)", which a naive Decimal(repr(x)) cannot read.
    assert exact_cost(np.float64(0.1)) == Decimal("0.1")
    assert sum_costs(np.array([0.1, 0.2, float("nan")])) == Decimal("0.3")
    assert UsageTotals(max_cost=np.float64(0.5)).max_cost == Decimal("0.5")  # a budget too


@pytest.mark.parametrize("bad", [True, float("nan"), float("inf"), "abc", [0.1], None])
def test_exact_cost_refuses_what_is_not_a_cost(bad: object) -> None:
    with pytest.raises(InputError, match="cost must be"):
        exact_cost(bad)  # type: ignore[arg-type]


def test_sum_costs_is_exact_where_a_float_sum_is_not() -> None:
    costs = [0.1] * 10
    assert sum(costs) != 1.0  # what ds.sum("cost") or sum() would report
    assert sum_costs(costs) == Decimal("1.0")
    assert sum_costs([]) == 0


def test_sum_costs_skips_missing_costs_only() -> None:
    # None (no usage reported) and NaN (a gap in a float column) add nothing; zero is a cost.
    assert sum_costs([0.000014, None, float("nan"), 0.0, "0.000001"]) == Decimal("0.000015")
    with pytest.raises(InputError):
        sum_costs([0.1, "not a number"])


def test_tally_merge_adds_every_counter() -> None:
    a, b = Tally(), Tally()
    a.add(usage(0.1, cached_tokens=3, reasoning_tokens=1, cache_write_tokens=2,
                server_tool_use={"web_search_requests": 1},
                cost_details={"upstream_inference_cost": 0.093}))
    b.add(usage(0.2, prompt=1, completion=1, server_tool_use={"web_search_requests": 2},
                cost_details={"upstream_inference_cost": 0.186}), failed=True)
    b.add(None, embedding=True)
    a.merge(b)
    assert (a.requests, a.failed_requests, a.embedding_requests) == (3, 1, 1)
    assert (a.prompt_tokens, a.completion_tokens, a.total_tokens) == (11, 6, 17)
    assert (a.cached_tokens, a.cache_write_tokens, a.reasoning_tokens) == (3, 2, 1)
    assert a.cost == Decimal("0.3")
    assert a.server_tool_use == {"web_search_requests": 3}
    assert a.server_tool_cost == Decimal("0.021")  # 0.007 + 0.014
    assert b.requests == 2  # the merged-in tally is unchanged


def worker_totals(costs: list[float], model: str) -> UsageTotals:
    """What one worker would return: its own totals, shipped as pickled bytes."""
    totals = UsageTotals()
    for cost in costs:
        totals.record(model, usage(cost))
    return pickle.loads(pickle.dumps(totals))


def test_pickled_totals_merge_into_one_exact_total() -> None:
    parts = [worker_totals([0.1] * 5, "openai/gpt-4o-mini"),
             worker_totals([0.1] * 5, "openai/gpt-4o-mini"),
             worker_totals([0.000014, 0.000021], "anthropic/claude-3.5-haiku")]
    total = UsageTotals().merge(*parts)
    assert total.requests == 12 and total.prompt_tokens == 120
    assert total.total.cost == Decimal("1.000035")
    assert total.by_model["openai/gpt-4o-mini"].cost == Decimal("1.0")
    assert total.by_model["openai/gpt-4o-mini"].requests == 10
    assert total.by_model["anthropic/claude-3.5-haiku"].cost == Decimal("0.000035")
    assert [p.requests for p in parts] == [5, 5, 2]  # the parts are unchanged


def test_unpickled_totals_keep_counting_thread_safely_and_keep_the_budget() -> None:
    totals = pickle.loads(pickle.dumps(UsageTotals(max_cost="0.5")))
    assert totals.max_cost == Decimal("0.5")
    # A fresh lock of its own (the threads below rarely overlap enough to show a missing one).
    assert isinstance(totals._lock, type(threading.Lock()))

    def work() -> None:
        for _ in range(100):
            totals.record("m", usage(0.001))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert totals.requests == 400 and totals.total.cost == Decimal("0.4")
    totals.check_budget()  # 0.4 < 0.5: no error


def test_merging_totals_into_themselves_is_an_error() -> None:
    totals = worker_totals([0.1], "m")
    with pytest.raises(InputError, match="themselves"):
        totals.merge(totals)
    assert totals.requests == 1
