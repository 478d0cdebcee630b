"""Run small-model inference on one CPU thread.

The embedded models are tiny: each operation takes microseconds, so splitting it over threads only adds
synchronisation, and on a busy machine (a shared classroom server, or Community Cloud) a thread that waits for a
core can make a 2 ms translation take 150 ms. Functions decorated with `single_thread` set torch to one thread
while they run and restore the previous setting afterwards (the setting is process-wide; another session running
at the same moment only gets the other speed, never a wrong result).
"""
from __future__ import annotations

import functools

import torch


def single_thread(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        before = torch.get_num_threads()
        if before == 1:
            return fn(*args, **kwargs)
        torch.set_num_threads(1)
        try:
            return fn(*args, **kwargs)
        finally:
            torch.set_num_threads(before)
    return wrapper
