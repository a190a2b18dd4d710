"""AutoGraph-lite: Python ``if``/``while``/``for`` over tensors inside ``tf.function``.

``convert(f)`` re-parses ``f``'s source and rewrites each ``if``, ``while`` and
``for ... in range(...)``/``tf.range(...)`` statement into a call of a helper here, with the
branch or loop body as a nested function over the variables it assigns. At run time the
helper looks at the condition: a traced tensor gives ``tf.cond``/``tf.while_loop``
(both branches traced, a data-dependent loop kept in the graph, as TensorFlow's AutoGraph
does); anything else runs as plain Python. Statements that the rewrite cannot keep
equivalent (``return``/``break``/``continue`` inside, ``global``/``nonlocal``, tuple
targets) are left alone, and a function whose source cannot be read is not converted;
those then behave as plain Python, and a Python ``bool`` of a traced tensor makes the
signature run eagerly (correct, not compiled).
"""
import ast
import enum
import functools
import inspect
import textwrap

_CACHE = {}


class _Undefined:
    def __repr__(self):
        return "<undefined>"


UNDEFINED = _Undefined()


def ld(thunk):
    """Returns ``thunk()``, or ``UNDEFINED`` if it names a variable not yet assigned."""
    try:
        return thunk()
    except (NameError, UnboundLocalError):
        return UNDEFINED


def _traced(x):
    from tapeflow.framework.graph import func_graph
    from tapeflow.framework.tensor import Tensor
    tr = func_graph.current()
    return tr is not None and isinstance(x, Tensor) and tr.is_symbolic(x)


def _check_defined(names, values, what):
    from tapeflow.framework.graph import func_graph
    for n, v in zip(names, values):
        if v is UNDEFINED:
            raise func_graph.Uncapturable(f"'{n}' is not defined before the {what}")


def if_stmt(test, true_fn, false_fn, names, values):
    """Runs an ``if`` statement's branch; ``tf.cond`` when ``test`` is a traced tensor."""
    if not _traced(test):
        return true_fn(*values) if test else false_fn(*values)
    from tapeflow.ops import control_flow_ops
    out_t, out_f = [], []

    def t():
        out_t.append(true_fn(*values))
        return _strip(out_t[-1])

    def f():
        out_f.append(false_fn(*values))
        return _strip(out_f[-1])
    result = control_flow_ops.cond(test, t, f)
    for a, b, n in zip(out_t[-1], out_f[-1], names):
        if (a is UNDEFINED) != (b is UNDEFINED):
            from tapeflow.framework.graph import func_graph
            raise func_graph.Uncapturable(f"'{n}' is assigned in one branch of an if only")
    it = iter(result)
    return tuple(next(it) if a is not UNDEFINED else UNDEFINED for a in out_t[-1])


def _strip(values):
    return [v for v in values if v is not UNDEFINED]


def while_stmt(test_fn, body_fn, names, values):
    """Runs a ``while`` statement; ``tf.while_loop`` when its test is a traced tensor."""
    test = test_fn(*values)
    if not _traced(test):
        while test:
            values = body_fn(*values)
            test = test_fn(*values)
        return values
    _check_defined(names, values, "while loop")
    from tapeflow.ops import control_flow_ops
    return tuple(control_flow_ops.while_loop(test_fn, lambda *v: tuple(body_fn(*v)),
                                             tuple(values)))


def for_range(args, body_fn, names, values, as_tensor):
    """Runs ``for i in range(*args)`` (``tf.range`` when ``as_tensor``); a
    ``tf.while_loop`` when a bound is a traced tensor."""
    if not any(_traced(a) for a in args):
        import builtins
        from tapeflow.framework.tensor import convert_to_tensor
        ints = [int(a) for a in args]
        for i in builtins.range(*ints):
            values = body_fn(convert_to_tensor(i) if as_tensor else i, *values)
        return values
    _check_defined(names, values, "for loop")
    from tapeflow.framework.tensor import convert_to_tensor
    from tapeflow.ops import control_flow_ops, math_ops
    start, limit, delta = (0, args[0], 1) if len(args) == 1 else (
        args[0], args[1], args[2] if len(args) > 2 else 1)
    ref = next(a for a in args if _traced(a))
    i0 = math_ops.cast(convert_to_tensor(start), ref.dtype)
    up = not _traced(delta) and int(delta) > 0

    def test(i, *v):
        return i < limit if up else i > limit
    out = control_flow_ops.while_loop(
        test, lambda i, *v: (i + delta,) + tuple(body_fn(i, *v)), (i0,) + tuple(values))
    return tuple(out[1:])


class _Names(ast.NodeVisitor):
    """Collects the names a statement list assigns (not inside nested functions)."""

    def __init__(self):
        self.names, self.bad = [], False

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Store) and node.id not in self.names:
            self.names.append(node.id)

    def visit_FunctionDef(self, node):
        if node.name not in self.names:
            self.names.append(node.name)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Lambda(self, node):
        pass

    def _bad(self, node):
        self.bad = True

    visit_Return = visit_Break = visit_Continue = visit_Global = visit_Nonlocal = _bad
    visit_Yield = visit_YieldFrom = visit_Await = _bad


def _scan(stmts):
    v = _Names()
    for s in stmts:
        v.visit(s)
    return [n for n in v.names if not n.startswith("ag__")], v.bad


_COUNT = [0]


def _fn(name, params, body, result_names):
    ret = ast.Return(ast.Tuple([ast.Name(n, ast.Load()) for n in result_names], ast.Load()))
    args = ast.arguments(posonlyargs=[], args=[ast.arg(p) for p in params], kwonlyargs=[],
                         kw_defaults=[], defaults=[])
    return ast.FunctionDef(name, args, list(body) + [ret], [], None, None, type_params=[])


def _values(names):
    return ast.Tuple([ast.parse(f"ag__.ld(lambda: {n})", mode="eval").body for n in names],
                     ast.Load())


def _assign(names, call):
    if not names:
        return ast.Expr(call)
    return ast.Assign([ast.Tuple([ast.Name(n, ast.Store()) for n in names], ast.Store())], call)


def _unique(base):
    _COUNT[0] += 1
    return f"ag__{base}_{_COUNT[0]}"


class _Rewriter(ast.NodeTransformer):
    def visit_FunctionDef(self, node):
        if getattr(self, "_top", None) is None:
            self._top = node
            self.generic_visit(node)
        return node

    def visit_If(self, node):
        self.generic_visit(node)
        names, bad = _scan(node.body + node.orelse)
        if bad:
            return node
        t, f = _unique("if_true"), _unique("if_false")
        call = ast.parse(f"ag__.if_stmt(0, {t}, {f}, {tuple(names)!r}, 0)", mode="eval").body
        call.args[0] = node.test
        call.args[4] = _values(names)
        return [_fn(t, names, node.body, names),
                _fn(f, names, node.orelse or [ast.Pass()], names), _assign(names, call)]

    def visit_While(self, node):
        self.generic_visit(node)
        names, bad = _scan(node.body)
        if bad or node.orelse:
            return node
        c, b = _unique("while_test"), _unique("while_body")
        test = ast.FunctionDef(c, ast.arguments(posonlyargs=[], args=[ast.arg(n) for n in names],
                                                kwonlyargs=[], kw_defaults=[], defaults=[]),
                               [ast.Return(node.test)], [], None, None, type_params=[])
        call = ast.parse(f"ag__.while_stmt({c}, {b}, {tuple(names)!r}, 0)", mode="eval").body
        call.args[3] = _values(names)
        return [test, _fn(b, names, node.body, names), _assign(names, call)]

    def visit_For(self, node):
        self.generic_visit(node)
        it = node.iter
        is_range = isinstance(it, ast.Call) and not it.keywords and (
            (isinstance(it.func, ast.Name) and it.func.id == "range") or
            (isinstance(it.func, ast.Attribute) and it.func.attr == "range"))
        names, bad = _scan(node.body)
        if bad or node.orelse or not is_range or not isinstance(node.target, ast.Name):
            return node
        names = [n for n in names if n != node.target.id]
        b = _unique("for_body")
        as_tensor = not isinstance(it.func, ast.Name)
        call = ast.parse(f"ag__.for_range(0, {b}, {tuple(names)!r}, 0, {as_tensor})",
                         mode="eval").body
        call.args[0] = ast.List(list(it.args), ast.Load())
        call.args[3] = _values(names)
        return [_fn(b, [node.target.id] + names, node.body, names), _assign(names, call)]


def convert(f):
    """Returns ``f`` with its tensor-dependent control flow rewritten, or ``f`` itself when
    its source cannot be converted."""
    bound = getattr(f, "__self__", None)
    fn = getattr(f, "__func__", f)
    code = getattr(fn, "__code__", None)
    if code is None:
        return f
    if code not in _CACHE:   # one rewrite per code object; each closure gets its own function
        _CACHE[code] = _convert(fn)
    factory = _CACHE[code]
    if factory is None:
        return f
    new = factory(*[c.cell_contents for c in (fn.__closure__ or ())])
    new.__defaults__ = fn.__defaults__
    new.__kwdefaults__ = fn.__kwdefaults__
    functools.update_wrapper(new, fn)
    new.__wrapped__ = fn
    return new.__get__(bound) if bound is not None else new


def _convert(fn):
    """Returns a factory ``(closure values) -> converted function``, or None."""
    if not inspect.isfunction(fn) or fn.__name__ == "<lambda>" or (
            fn.__module__ or "").startswith("tapeflow."):
        return None   # lambdas and tapeflow's own functions are not converted
    try:
        src = textwrap.dedent("".join(inspect.getsourcelines(fn.__code__)[0]))
        tree = ast.parse(src)
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    node = tree.body[0]
    if not isinstance(node, ast.FunctionDef):
        return None
    node.decorator_list = []
    new = _Rewriter().visit(tree)
    ast.fix_missing_locations(new)
    free = ("ag__",) + fn.__code__.co_freevars
    # Closure variables (and this module, as ``ag__``) are passed through a factory, so that
    # they stay closures; the function keeps its module's globals (read when it runs).
    factory = ast.FunctionDef("ag__factory", ast.arguments(
        posonlyargs=[], args=[ast.arg(n) for n in free], kwonlyargs=[], kw_defaults=[],
        defaults=[]), [node, ast.Return(ast.Name(node.name, ast.Load()))], [], None, None,
        type_params=[])
    mod = ast.Module([factory], [])
    ast.fix_missing_locations(mod)
    try:
        code = compile(mod, inspect.getsourcefile(fn) or "<autograph>", "exec")
        local = {}
        exec(code, fn.__globals__, local)  # noqa: S102 (the user's own function, rewritten)
    except (SyntaxError, ValueError, NameError):
        return None
    from tapeflow import autograph as ag
    return functools.partial(local["ag__factory"], ag)


def to_code(f, recursive=True, experimental_optional_features=None):
    """Returns the source of ``f`` as converted (``ast.unparse`` of the rewrite)."""
    fn = getattr(f, "python_function", f)
    fn = getattr(fn, "__func__", fn)
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    tree.body[0].decorator_list = []
    new = _Rewriter().visit(tree)
    ast.fix_missing_locations(new)
    return ast.unparse(new)


def to_graph(entity, recursive=True, experimental_optional_features=None):
    """Returns ``entity`` (a function or method) with its control flow converted, as
    ``tf.function`` would run it; ``entity`` itself when its source cannot be converted."""
    return convert(entity)


_VERBOSITY = [0]


def set_verbosity(level, alsologtostdout=False):
    """Sets AutoGraph's verbosity level (tapeflow's AutoGraph logs nothing; kept for
    ``get_verbosity``-style checks). Returns None."""
    _VERBOSITY[0] = int(level)


def trace(*args):
    """Prints ``args`` (at conversion and run time alike, as TensorFlow's ``trace``)."""
    print(*args)


class _Feature(enum.Enum):
    ALL = "ALL"
    AUTO_CONTROL_DEPS = "AUTO_CONTROL_DEPS"
    ASSERT_STATEMENTS = "ASSERT_STATEMENTS"
    BUILTIN_FUNCTIONS = "BUILTIN_FUNCTIONS"
    EQUALITY_OPERATORS = "EQUALITY_OPERATORS"
    LISTS = "LISTS"
    NAME_SCOPES = "NAME_SCOPES"


_Feature.__name__ = _Feature.__qualname__ = "Feature"


class experimental:   # noqa: N801 - TensorFlow's namespace
    """``tf.autograph.experimental``."""

    Feature = _Feature

    @staticmethod
    def do_not_convert(func=None):
        """Marks ``func`` as not to be converted; returns it."""
        if func is None:
            return experimental.do_not_convert
        func.__ag_do_not_convert__ = True
        return func

    @staticmethod
    def set_loop_options(parallel_iterations=None, swap_memory=None,
                         maximum_iterations=None, shape_invariants=None):
        """Accepted inside a loop body for compatibility; tapeflow's loops need none of
        these options. Returns None."""
        return None
