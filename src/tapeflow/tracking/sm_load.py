"""Running a SavedModel's ``FunctionDef``s with tapeflow ops (TensorFlow's files or tapeflow's).

A loaded function is planned before it can run: its ``FunctionDef`` and every function it
calls (``StatefulPartitionedCall``/``PartitionedCall``, at most ``MAX_DEPTH`` deep and
``MAX_FUNCTIONS`` in all) are parsed, every node's op must be in the allow-list
(``sm_ops.allowed``), every input must name an argument or an earlier node, and the nodes
are put in dependency order (a cycle is refused). A function that fails any check keeps
the reason and raises ``NotFoundError``/``InvalidArgumentError`` when called, before any node
runs. Running evaluates the nodes eagerly through tapeflow's public ops, so a
``GradientTape`` records them: gradients flow to the inputs and to the captured variables.
"""
from tapeflow.framework import errors, nest
from tapeflow.tracking import sm_ops
from tapeflow.tracking import sm_proto as P
from tapeflow.tracking import tensor_bundle as tb

MAX_DEPTH = 32
MAX_FUNCTIONS = 10_000


class Library:
    """The function library of one SavedModel: raw ``FunctionDef``s, parsed and planned on
    demand."""

    def __init__(self, raw_functions):
        """``raw_functions``: ``{name: FunctionDef bytes}``."""
        if len(raw_functions) > MAX_FUNCTIONS:
            raise tb._Bad(f"{len(raw_functions)} functions in the library")
        self.raw = raw_functions
        self.plans = {}
        self.errors = {}

    def check(self, name, depth=0, seen=None):
        """Returns None if function ``name`` (and what it calls) can run, else the reason."""
        if name in self.errors:
            return self.errors[name]
        if name in self.plans:
            return None
        seen = set() if seen is None else seen
        if depth > MAX_DEPTH or name in seen:
            return f"function {name!r} calls itself or nests more than {MAX_DEPTH} deep"
        seen.add(name)
        why = self._plan(name, depth, seen)
        if why is not None:
            self.errors[name] = why
        return why

    def _plan(self, name, depth, seen):
        raw = self.raw.get(name)
        if raw is None:
            return f"function {name!r} is not in the SavedModel's function library"
        try:
            fdef = P.FunctionDef(raw)
        except tb._Bad as e:
            return f"function {name!r} is malformed: {e}"
        args = {a for a, _ in fdef.input_args}
        by_name = {}
        for node in fdef.nodes:
            if node.name in by_name or node.name in args or not node.name:
                return f"function {name!r} has a duplicate or empty node name {node.name!r}"
            by_name[node.name] = node
        for node in fdef.nodes:
            if not sm_ops.allowed(node.op):
                return (f"Op type not registered '{node.op}' in tapeflow's SavedModel "
                        f"loader (node {node.name!r} of function {name!r}); the ops it can "
                        f"run are: {', '.join(sorted(sm_ops.SPECIAL | set(sm_ops.kernels())))}")
            if node.op in ("StatefulPartitionedCall", "PartitionedCall"):
                f = node.attr("f")
                if not (isinstance(f, tuple) and f[0] == "func"):
                    return f"node {node.name!r} calls no function"
                why = self.check(f[1], depth + 1, seen)
                if why is not None:
                    return why
        order, state = [], {}
        for node in fdef.nodes:           # depth-first topological order, iteratively
            stack = [(node, 0)]
            while stack:
                n, i = stack.pop()
                if i == 0:
                    if state.get(n.name) == 2:
                        continue
                    if state.get(n.name) == 1:
                        return f"function {name!r} has a cycle through node {n.name!r}"
                    state[n.name] = 1
                deps = [s.lstrip("^").split(":")[0] for s in n.inputs]
                while i < len(deps) and (deps[i] in args or state.get(deps[i]) == 2):
                    i += 1
                if i < len(deps):
                    dep = by_name.get(deps[i])
                    if dep is None:
                        return (f"node {n.name!r} of function {name!r} reads {deps[i]!r}, "
                                "which does not exist")
                    if state.get(dep.name) == 1:
                        return f"function {name!r} has a cycle through node {dep.name!r}"
                    stack.append((n, i + 1))
                    stack.append((dep, 0))
                    continue
                state[n.name] = 2
                order.append(n)
        for out, src in fdef.ret.items():
            if src.split(":")[0] not in by_name and src not in args:
                return f"output {out!r} of function {name!r} reads a missing node"
        rets = []
        for a, _ in fdef.output_args:
            if a not in fdef.ret:
                return f"output {a!r} of function {name!r} has no value"
            rets.append(fdef.ret[a])
        self.plans[name] = (fdef, order, rets)
        return None

    def run(self, name, inputs, depth=0):
        """Runs function ``name`` on ``inputs`` (Tensors, and Variables for resources);
        returns the list of output Tensors."""
        why = self.check(name)
        if why is not None:
            raise errors.NotFoundError(None, None, why)
        fdef, order, rets = self.plans[name]
        if len(inputs) != len(fdef.input_args):
            raise errors.InvalidArgumentError(None, None, (
                f"function {name!r} takes {len(fdef.input_args)} inputs, got {len(inputs)}"))
        env = {a: v for (a, _), v in zip(fdef.input_args, inputs)}
        values = {}

        def get(ref):
            if ref in env:
                return env[ref]
            parts = ref.split(":")
            idx = int(parts[-1]) if len(parts) > 1 else 0
            outs = values[parts[0]]
            if idx >= len(outs):
                raise errors.InvalidArgumentError(None, None, f"{ref!r}: no such output")
            return outs[idx]
        kernels = sm_ops.kernels()
        for node in order:
            ins = [get(s) for s in node.inputs if not s.startswith("^")]
            values[node.name] = self._node(node, ins, kernels, depth)
        return [get(r) for r in rets]

    def _node(self, node, ins, kernels, depth):
        import tapeflow as tf
        op = node.op
        if op == "Const":
            value = node.attr(" parsed constant")      # cached after the first call
            if value is None:
                v = node.attr("value")
                if not (isinstance(v, tuple) and v[0] == "tensor"):
                    raise errors.InvalidArgumentError(None, None,
                                                      f"Const {node.name!r} has no value")
                try:
                    value = tf.constant(P.parse_tensor(v[1]))
                except tb._Bad as e:
                    raise errors.DataLossError(None, None,
                                               f"Const {node.name!r}: {e}") from None
                node.remember(" parsed constant", value)
            return [value]
        if op == "NoOp":
            return []
        if op == "ReadVariableOp":
            return [_variable(node, ins).read_value()]
        if op in ("AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp"):
            var = _variable(node, ins)
            {"AssignVariableOp": var.assign, "AssignAddVariableOp": var.assign_add,
             "AssignSubVariableOp": var.assign_sub}[op](ins[1], read_value=False)
            return []
        if op in ("StatefulPartitionedCall", "PartitionedCall"):
            if depth >= MAX_DEPTH:
                raise errors.InvalidArgumentError(None, None, "functions nest too deeply")
            return self.run(node.attr("f")[1], ins, depth + 1)
        return kernels[op](node, *ins)


def _variable(node, ins):
    var = ins[0] if ins else None
    if not getattr(var, "_is_variable", False):
        raise errors.InvalidArgumentError(None, None, (
            f"{node.op} {node.name!r} reads a handle that is not a restored variable"))
    return var


class ConcreteSpec:
    """One saved concrete function: its name, bound variables and signatures."""

    def __init__(self, name, bound, input_sig, output_sig):
        self.name, self.bound = name, bound
        self.input_sig, self.output_sig = input_sig, output_sig


def _canonical(args, kwargs, argspec):
    """Moves keyword arguments to their positions and fills defaults (``argspec``: names and
    defaults of the saved Python function)."""
    names, defaults = argspec
    args, kwargs = list(args), dict(kwargs)
    first_default = len(names) - len(defaults)
    for i in range(len(args), len(names)):
        if names[i] in kwargs:
            args.append(kwargs.pop(names[i]))
        elif i >= first_default:
            args.append(defaults[i - first_default])
        else:
            break
    return args, kwargs


def bind(spec, args, kwargs, fn_name, keywords=None, positional=0, argspec=None):
    """Returns the flat list of input Tensors for ``spec`` from a call, or raises TypeError."""
    from tapeflow.framework.tensor import convert_to_tensor
    from tapeflow.framework.tensor_spec import TensorSpec
    sig_args, sig_kwargs = spec.input_sig if isinstance(spec.input_sig, tuple) and len(
        spec.input_sig) == 2 else ((), {})
    sig_args, sig_kwargs = list(sig_args or ()), dict(sig_kwargs or {})
    if keywords is not None:          # a signature: keyword arguments only
        if len(args) > positional:
            raise TypeError(f"{fn_name}() takes {positional} positional arguments but "
                            f"{len(args)} were given")
        kwargs = dict(kwargs)
        for k, a in zip(keywords, args):
            kwargs[k] = a
        args = ()
    if argspec is not None and keywords is None:
        args, kwargs = _canonical(args, kwargs, argspec)
    args = list(args)
    names = [getattr(s, "name", None) for s in sig_args]
    while len(args) < len(sig_args) and names[len(args)] in kwargs:
        args.append(kwargs.pop(names[len(args)]))
    if len(args) != len(sig_args) or set(kwargs) != set(sig_kwargs):
        raise TypeError(f"{fn_name}() got arguments that match none of its saved signatures: "
                        f"{len(args)} positional, keywords {sorted(kwargs)}; expected "
                        f"{len(sig_args)} positional, keywords {sorted(sig_kwargs)}")
    flat_spec = nest.flatten((sig_args, sig_kwargs))
    flat_val = nest.flatten((args, kwargs))
    if len(flat_spec) != len(flat_val):
        raise TypeError(f"{fn_name}(): the arguments' structure differs from the saved one")
    out = []
    for s, v in zip(flat_spec, flat_val):
        if isinstance(s, TensorSpec):
            t = v if getattr(v, "_is_variable", False) else convert_to_tensor(v)
            if getattr(v, "_is_variable", False):
                t = v.read_value()
            if t.dtype != s.dtype:
                try:
                    t = convert_to_tensor(v, s.dtype) if not hasattr(v, "dtype") else t
                except (TypeError, ValueError):
                    pass
            if t.dtype != s.dtype or not s.shape.is_compatible_with(t.shape):
                raise TypeError(f"{fn_name}(): argument {t.dtype.name}{list(t.shape)} does not "
                                f"match the saved TensorSpec(shape={s.shape}, "
                                f"dtype={s.dtype!r})")
            out.append(t)
        elif s != v:
            raise TypeError(f"{fn_name}(): argument {v!r} differs from the traced value {s!r}")
    return out


def pack(output_sig, outs):
    """Returns the outputs packed into the saved output structure."""
    if output_sig is None and not outs:
        return None
    flat = nest.flatten(output_sig)
    if len(flat) != len(outs):
        raise errors.InvalidArgumentError(None, None, (
            f"the function returned {len(outs)} tensors; its saved output structure has "
            f"{len(flat)}"))
    return nest.pack_sequence_as(output_sig, outs) if nest.is_nested(output_sig) else outs[0]
