"""A bulk action's selection: whole ids, each once, 1 to MAX_SELECTION of them."""
import pytest

from console.errors import DomainError
from console.inputs import MAX_INTEGER
from console.selection import MAX_SELECTION, selected_ids


def test_ids_kept_once_in_the_order_ticked_up_to_a_page():
    assert selected_ids(["3", " 1", "3", 2]) == [3, 1, 2]
    assert selected_ids(range(1, MAX_SELECTION + 1)) == list(range(1, MAX_SELECTION + 1))
    assert selected_ids([str(MAX_INTEGER)]) == [MAX_INTEGER]


@pytest.mark.parametrize("values", [[], range(1, MAX_SELECTION + 2), ["0"], ["-1"], ["1.5"], ["12abc"],
                                    [str(MAX_INTEGER + 1)], ["١٢"]])
def test_refused_selections(values):
    with pytest.raises(DomainError) as refused:
        selected_ids(values)
    assert refused.value.rule == "selection"
