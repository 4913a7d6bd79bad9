def clamp(x, lo, hi):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def count_in_range(xs, lo, hi):
    n = 0
    for x in xs:
        if lo <= x < hi:
            n += 1
    return n


def total(xs):
    s = 0
    for x in xs:
        s += x
    return s
