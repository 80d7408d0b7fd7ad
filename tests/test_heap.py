"""ui.heap.settle: what is alive is frozen once new modules arrived; garbage is collected, never frozen."""
import gc
import sys
import types
import weakref

from ui import heap


class Node:
    pass


def test_garbage_is_collected_before_freezing_and_a_second_call_does_nothing(monkeypatch):
    cycle = Node()
    cycle.me = cycle  # only the collector frees a cycle
    gone = weakref.ref(cycle)
    del cycle
    monkeypatch.setitem(sys.modules, "dti_test_new_module", types.ModuleType("dti_test_new_module"))
    heap.settle()
    assert gone() is None  # collected, not frozen
    frozen = gc.get_freeze_count()
    assert frozen > 0
    freezes = []
    real_freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(1) or real_freeze())
    heap.settle()  # nothing new imported: no second freeze
    # The frozen count itself may fall meanwhile (frozen objects are still freed by reference
    # counting, on any thread), so the freeze calls are counted instead.
    assert freezes == []
    assert gc.get_freeze_count() <= frozen
