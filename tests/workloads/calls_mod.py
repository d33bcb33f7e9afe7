# SPDX-License-Identifier: GPL-2.0-only
"""The module whose function calls_attach.py calls."""


def compute(a, b):
    return a + b
