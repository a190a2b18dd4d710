"""keras/scope.py: keras.name_scope nesting."""
from tapeflow import keras
from tapeflow.keras import scope


def test_name_scopes_nest_and_unwind():
    with keras.name_scope("outer"):
        with keras.name_scope("inner"):
            assert scope.current_path() == "outer/inner"
        assert scope.current_path() == "outer"
    assert scope.current_path() == ""
