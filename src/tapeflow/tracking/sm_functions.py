"""The computation part of ``tf.saved_model.save``: which concrete functions are written and
how the object graph refers to them.

Every ``tf.function`` attribute of a saved object contributes the concrete functions it has
traced (and, when it has an ``input_signature`` and no trace yet, the one for that
signature): a ``SavedFunction`` node names them, each is a ``FunctionDef`` in the meta
graph's library and a ``SavedConcreteFunction`` (bound variables, input and output
structure) in the object graph. Each signature becomes a ``signature_wrapper`` function
(keyword inputs, a dict of outputs: ``output_0`` ... or the function's own dict keys), as a
``SavedBareConcreteFunction`` under ``signatures``. A function whose graph cannot be
written (an op outside ``sm_ops``, Python nodes, a shape-dependent graph, a trace that
fell back to eager) is saved without its graph, with a warning, as before.
"""
import logging

from tapeflow.tracking import sm_ops, sm_write
from tapeflow.tracking import sm_proto as P
from tapeflow.tracking import tensor_bundle as tb

F = P.F
_LOG = logging.getLogger("tapeflow")


def _concrete_functions(fn):
    """Returns the traced concrete functions of a ``tf.function`` (tracing its input signature
    when it has one and has not run yet)."""
    from tapeflow.framework.graph.concrete_function import ConcreteFunction
    if isinstance(fn, ConcreteFunction):
        return [fn]
    cfs = list(getattr(fn, "_all", ()))
    if not cfs and fn.input_signature is not None:
        try:
            cfs = [fn.get_concrete_function()]
        except ValueError as e:
            _LOG.warning("tf.function %s is saved without its graph: %s", fn._name, e)
    return cfs


def _input_structure(fn, cf):
    """Returns ``cf``'s ``(args, kwargs)`` of TensorSpecs, named as the ``input_signature``
    names them where it does (``keras_tensor``), else after the parameters."""
    from tapeflow.framework import nest
    from tapeflow.framework.tensor_spec import TensorSpec
    args, kwargs = cf.structured_input_signature
    sig = getattr(fn, "input_signature", None)
    if sig is None or kwargs:
        return args, kwargs
    named = nest.flatten(list(sig))
    flat = nest.flatten(list(args))
    if len(named) != len(flat) or not all(isinstance(s, TensorSpec) for s in flat):
        return args, kwargs
    flat = [TensorSpec(a.shape, a.dtype, n.name or a.name) if isinstance(n, TensorSpec)
            else a for a, n in zip(flat, named)]
    return tuple(nest.pack_sequence_as(list(args), flat)), kwargs


class Writer:
    """Collects ``FunctionDef``s and ``SavedConcreteFunction``s while the object graph is
    encoded."""

    def __init__(self, variable_nodes):
        self.variable_nodes = variable_nodes
        self.function_defs = []
        self.concrete = []          # map entries of SavedObjectGraph.concrete_functions
        self.counter = 0
        self.done = {}              # id(cf) -> written name
        self.signatures = []        # (key, fname, [(input, spec)], {output: spec}, bound)

    def _name(self, base):
        self.counter += 1
        return f"__inference_{base}_{self.counter}"

    def _write(self, cf, fname, input_sig, output_sig):
        body, bound = sm_write.function_def(cf, fname, self.variable_nodes,
                                            sm_write.shape_overrides(cf))
        entry = P.entry(2, fname, sm_write.saved_concrete_function(bound, input_sig,
                                                                   output_sig))
        self.function_defs.append(body)      # only once everything is encoded
        self.concrete.append(entry)
        self.last_bound = bound

    def _try(self, what, cf, write):
        try:
            return write()
        except (sm_ops.Unsupported, tb._Bad) as e:
            why = str(e)
        except Exception as e:  # noqa: BLE001  (e.g. the second-size trace fails: the
            why = f"{type(e).__name__}: {e}"   # objects and variables are saved anyway)
        _LOG.warning("%s is saved without its graph (tapeflow cannot write it in "
                     "TensorFlow's format: %s); loading it gives a function that "
                     "cannot be called.", what, why)
        return None

    def function_names(self, fn):
        """Returns the names of ``fn``'s concrete functions written to the library."""
        names = []
        for cf in _concrete_functions(fn):
            if id(cf) in self.done:
                names.append(self.done[id(cf)])
                continue
            fname = self._name(cf._name)

            def write(cf=cf, fname=fname):
                self._write(cf, fname, _input_structure(fn, cf), sm_write.output_specs(cf))
                return fname
            got = self._try(f"tf.function {cf._name}", cf, write)
            if got:
                self.done[id(cf)] = got
                names.append(got)
        return names

    def signature(self, key, fn):
        """Returns ``(fname, keywords)`` of the signature wrapper for ``fn``, or None."""
        from tapeflow.framework.tensor_spec import TensorSpec
        cfs = _concrete_functions(fn)
        if len(cfs) != 1:
            _LOG.warning("signature %r is saved without its graph: it needs exactly one "
                         "concrete function (a tf.function with an input_signature)", key)
            return None
        cf = cfs[0]
        fname = self._name(f"signature_wrapper_{cf._name}")

        def write():
            args, kwargs = cf.structured_input_signature
            if kwargs or any(not isinstance(a, TensorSpec) for a in args):
                raise sm_ops.Unsupported("a signature takes a flat list of tensors")
            sig = getattr(fn, "input_signature", None)
            names = [s.name if isinstance(s, TensorSpec) and s.name else a.name
                     for s, a in zip(sig or args, args)]
            inputs = {n: TensorSpec(a.shape, a.dtype, n) for n, a in zip(names, args)}
            out = sm_write.output_specs(cf)
            if isinstance(out, dict):
                if any(not isinstance(v, TensorSpec) for v in out.values()):
                    raise sm_ops.Unsupported("a signature returns a flat dict of tensors")
                outs = {k: TensorSpec(v.shape, v.dtype, k) for k, v in out.items()}
            else:
                flat = out if isinstance(out, (list, tuple)) else [out]
                if len(flat) > 10 or any(not isinstance(v, TensorSpec) for v in flat):
                    raise sm_ops.Unsupported("a signature returns at most 10 tensors")
                outs = {f"output_{i}": TensorSpec(v.shape, v.dtype, f"output_{i}")
                        for i, v in enumerate(flat)}
            self._write(cf, fname, ((), inputs), outs)
            self.signatures.append((key, fname, list(inputs.items()), outs, self.last_bound))
            return fname, names
        return self._try(f"signature {key!r}", cf, write)

    def graph_def(self, variables):
        """Returns ``(GraphDef bytes, signature_def entries, SaverDef bytes)``: the function
        library and the top-level graph (``sm_graph``) for ``variables``
        (``[(node id, dtype, checkpoint key, shape)]``)."""
        from tapeflow.tracking import sm_graph
        nodes, extra, sigs, saver = sm_graph.top_level(variables, self.signatures,
                                                        self.counter + 1)
        return sm_write.library(self.function_defs + extra, nodes), sigs, saver

    def concrete_functions_map(self):
        """Returns the ``SavedObjectGraph.concrete_functions`` entries."""
        return b"".join(self.concrete)


def bare_concrete_function(fname, keywords):
    """Returns a ``SavedObject`` holding a ``SavedBareConcreteFunction``."""
    body = F(1, fname.encode()) + b"".join(F(2, k.encode()) for k in keywords) + \
        F(3, len(keywords))
    return F(8, body)
