// SPDX-License-Identifier: GPL-2.0-only
// Put before every operator by scripts/mutate.py. With MUT_AT unset, an
// operator's rule r matches everywhere and each match is listed (see
// postlude.cocci); with MUT_AT=LINE:COL it rewrites that one site only.
@initialize:python@
@@
import os

MUT_AT = os.environ.get("MUT_AT")


def pick(p):
    return MUT_AT is None or "%s:%s" % (p[0].line, p[0].column) == MUT_AT


# Labels by function, for goto_wrong: {function: {label: line}}.
LABELS = {}


def other_label(f, label):
    order = sorted(LABELS.get(f, {}), key=lambda k: LABELS[f][k])
    if label not in order or len(order) < 2:
        return label
    i = order.index(label)
    return order[i + 1] if i + 1 < len(order) else order[i - 1]

