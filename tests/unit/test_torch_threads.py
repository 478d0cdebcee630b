"""single_thread: one torch thread inside, the previous setting restored afterwards, even after an error."""
import pytest
import torch

from lib.torch_threads import single_thread


def test_one_thread_inside_and_restored_after():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        seen = single_thread(torch.get_num_threads)()
        assert seen == 1 and torch.get_num_threads() == 2

        @single_thread
        def boom():
            raise RuntimeError("x")

        with pytest.raises(RuntimeError):
            boom()
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
