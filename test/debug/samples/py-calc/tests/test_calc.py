from calc import clamp, count_in_range, total


def test_clamp_low():
    assert clamp(-5, 0, 10) == 0


def test_clamp_mid():
    assert clamp(5, 0, 10) == 5


def test_count_empty():
    assert count_in_range([], 0, 10) == 0


def test_count_inclusive_upper():
    # the range is inclusive: hi itself counts
    assert count_in_range([1, 5, 10], 0, 10) == 3


def test_total():
    assert total([1, 2, 3]) == 6
