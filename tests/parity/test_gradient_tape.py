"""Parity: GradientTape results on small programs (values, None for unconnected sources,
persistent and non-persistent tapes, nested tapes, jacobians, stop_recording).

Each program is written once against ``tf`` and run with tapeflow and with the real
TensorFlow; the gradients must agree in structure, dtype, shape and value, or both raise
the same exception class.
"""
import warnings

import numpy as np
import pytest

import tapeflow

PROGRAMS = {}


def prog(f):
    PROGRAMS[f.__name__] = f
    return f


@prog
def g1(tf):
    x=tf.Variable(3.0)
    with tf.GradientTape() as t: y=x*x
    return t.gradient(y,x)
@prog
def g2(tf):
    x=tf.Variable(3.0); z=tf.Variable(1.0)
    with tf.GradientTape() as t: y=x*x
    return t.gradient(y,[x,z])
@prog
def g3(tf):
    x=tf.Variable(3.0); z=tf.Variable(1.0)
    with tf.GradientTape() as t: y=x*x
    return t.gradient(y,[x,z], unconnected_gradients=tf.UnconnectedGradients.ZERO)
@prog
def g4(tf):
    x=tf.Variable(3.0)
    with tf.GradientTape() as t: y=x*x
    t.gradient(y,x); return t.gradient(y,x)
@prog
def g5(tf):
    x=tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as t: y=x*x; w=x*x*x
    return t.gradient(y,x), t.gradient(w,x)
@prog
def g6(tf):
    x=tf.constant(3.0)
    with tf.GradientTape() as t: y=x*x
    return t.gradient(y,x)
@prog
def g7(tf):
    x=tf.constant(3.0)
    with tf.GradientTape() as t: t.watch(x); y=x*x
    return t.gradient(y,x)
@prog
def g8(tf):
    x=tf.Variable([1.,2.,3.])
    with tf.GradientTape() as t: y=tf.reduce_sum(x**2)
    return t.gradient(y,x)
@prog
def g9(tf):
    x=tf.Variable([1.,2.,3.])
    with tf.GradientTape() as t: y=x**2
    return t.gradient(y,x)
@prog
def g10(tf):
    x=tf.Variable(1)
    with tf.GradientTape() as t: y=x*x
    return t.gradient(y,x)
@prog
def g11(tf):
    x=tf.Variable([[1.,2.],[3.,4.]])
    with tf.GradientTape() as t: y=tf.reduce_mean(tf.matmul(x,x))
    return t.gradient(y,x)
@prog
def g12(tf):
    x=tf.Variable(2.0)
    with tf.GradientTape() as t: y=tf.cast(x,tf.int32)
    return t.gradient(y,x)
@prog
def g13(tf):
    x=tf.Variable(2.0)
    with tf.GradientTape() as t: y=tf.cast(tf.cast(x,tf.float64)*2, tf.float32)
    return t.gradient(y,x)
@prog
def g14(tf):
    x=tf.Variable([1.,2.,3.])
    with tf.GradientTape() as t: y=tf.gather(x,[0,0,2])
    return t.gradient(y,x)
@prog
def g15(tf):
    x=tf.Variable([1.,2.,3.])
    with tf.GradientTape() as t: y=tf.reduce_max(x)
    return t.gradient(y,x)
@prog
def g16(tf):
    x=tf.Variable([2.,2.,1.])
    with tf.GradientTape() as t: y=tf.reduce_max(x)
    return t.gradient(y,x)
@prog
def g17(tf):
    x=tf.Variable([1.,-2.,0.])
    with tf.GradientTape() as t: y=tf.abs(x)
    return t.gradient(y,x)
@prog
def g18(tf):
    x=tf.Variable([1.,-2.,0.])
    with tf.GradientTape() as t: y=tf.nn.relu(x)
    return t.gradient(y,x)
@prog
def g19(tf):
    x=tf.Variable([0.,4.])
    with tf.GradientTape() as t: y=tf.sqrt(x)
    return t.gradient(y,x)
@prog
def g20(tf):
    x=tf.Variable(3.0)
    with tf.GradientTape() as t: y=x*x
    return t.gradient(y,x,output_gradients=tf.constant(2.0))
@prog
def g21(tf):
    x=tf.Variable(3.0)
    with tf.GradientTape() as t:
        y=x*x
        with t.stop_recording(): z=y*x
        w=z+y
    return t.gradient(w,x)
@prog
def g22(tf):
    x=tf.Variable(3.0)
    with tf.GradientTape() as t: y=tf.stop_gradient(x)*x
    return t.gradient(y,x)
@prog
def g23(tf):
    x=tf.Variable([1.,2.])
    with tf.GradientTape() as t: y=x*[3.,4.]
    return t.jacobian(y,x)
@prog
def g24(tf):
    x=tf.Variable(2.0)
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1: y=x**3
        d=t1.gradient(y,x)
    return d, t2.gradient(d,x)
@prog
def g25(tf):
    x=tf.Variable(2.0)
    with tf.GradientTape() as t: y=x*x
    return t.watched_variables()
@prog
def g26(tf):
    x=tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as t: y=x*x
    return t.gradient(y,x)
@prog
def g27(tf):
    x=tf.Variable(2.0)
    with tf.GradientTape(watch_accessed_variables=False) as t: y=x*x
    return t.gradient(y,x)
@prog
def g28(tf):
    x=tf.Variable(2.0)
    with tf.GradientTape() as t: y=x*x
    return t.gradient({"a":y},{"b":x,"c":[x]})
@prog
def g29(tf):
    x=tf.Variable(2.0)
    with tf.GradientTape() as t: y=[x*x, x*3]
    return t.gradient(y,x)
@prog
def g30(tf):
    x=tf.Variable(2.0)
    t=tf.GradientTape()
    with t: y=x*x
    with t: z=x*x
@prog
def g31(tf):
    x=tf.Variable(2.0)
    with tf.GradientTape() as t:
        y=x*x
        g=t.gradient(y,x)
    return g
@prog
def g32(tf):
    x=tf.Variable([[1.,2.],[3.,4.]])
    with tf.GradientTape() as t: y=tf.reduce_sum(x[0,1:]*2)
    return t.gradient(y,x)
@prog
def g33(tf):
    x=tf.Variable([[1.,2.],[3.,4.]])
    with tf.GradientTape() as t: y=tf.reduce_sum(tf.linalg.inv(x))
    return t.gradient(y,x)
@prog
def g34(tf):
    x=tf.Variable([1.,2.])
    with tf.GradientTape() as t: y=tf.where(x>1.5, x*x, x)
    return t.gradient(y,x)
@prog
def g35(tf):
    x=tf.Variable([1.,2.])
    with tf.GradientTape() as t: y=tf.norm(x)
    return t.gradient(y,x)
@prog
def g36(tf):
    x=tf.Variable([0.,0.])
    with tf.GradientTape() as t: y=tf.norm(x)
    return t.gradient(y,x)
@prog
def g37(tf):
    x=tf.Variable([1.,2.])
    with tf.GradientTape() as t: y=tf.reduce_prod(x)
    return t.gradient(y,x)
@prog
def g38(tf):
    x=tf.Variable(2.0)
    with tf.GradientTape() as t: y=tf.constant(3.0)
    return t.gradient(y,x)
@prog
def g39(tf):
    x=tf.Variable(2.0)
    with tf.GradientTape() as t: y=x*2
    return t.gradient(y, tf.constant(1.0))
@prog
def g40(tf):
    x=tf.Variable([1.,2.])
    with tf.GradientTape() as t: y=x[0]
    return t.gradient(y,x)
@prog
def g41(tf):
    x=tf.Variable(1.0)
    with tf.GradientTape() as t: x.assign(2.0); y=x*x
    return t.gradient(y,x)
@prog
def g42(tf):
    x=tf.Variable([1.,2.])
    with tf.GradientTape() as t: y=tf.math.reduce_logsumexp(x)
    return t.gradient(y,x)
@prog
def g43(tf):
    x=tf.Variable([[1.,2.]])
    with tf.GradientTape() as t: y=tf.concat([x,x*2],0)
    return t.gradient(y,x)
@prog
def g44(tf):
    x=tf.Variable(0.)
    with tf.GradientTape() as t: y=x**0.5
    return t.gradient(y,x)
@prog
def g45(tf):
    x=tf.Variable(0.)
    with tf.GradientTape() as t: y=x**2
    return t.gradient(y,x)
@prog
def g46(tf):
    x=tf.Variable(-2.)
    with tf.GradientTape() as t: y=x**2.
    return t.gradient(y,x)
@prog
def g47(tf):
    x=tf.Variable([1.,2.]); b=tf.Variable(3.)
    with tf.GradientTape() as t: y=tf.reduce_sum(x*b)
    return t.gradient(y,[x,b])
@prog
def g48(tf):
    x=tf.Variable(2.)
    with tf.GradientTape() as t: y=tf.maximum(x, 2.)
    return t.gradient(y,x)
@prog
def g49(tf):
    x=tf.Variable(2.)
    with tf.GradientTape() as t: y=tf.minimum(x, 2.)
    return t.gradient(y,x)
@prog
def g50(tf):
    x=tf.Variable([1.,2.,3.])
    with tf.GradientTape() as t: y=tf.reduce_min(tf.stack([x,x]))
    return t.gradient(y,x)
@prog
def g51(tf):
    x=tf.Variable(2.)
    with tf.GradientTape() as t: y=tf.clip_by_value(x,0.,2.)
    return t.gradient(y,x)
@prog
def g52(tf):
    x = tf.Variable(2.)
    with tf.GradientTape() as t: y = x*x
    return t.jacobian(y, x)
@prog
def g53(tf):
    x = tf.Variable([[1.,2.],[3.,4.]])
    with tf.GradientTape() as t: y = x*x
    return t.batch_jacobian(y, x)
@prog
def g54(tf):
    x = tf.Variable(2.)
    with tf.GradientTape() as t: y = x*x
    return t.gradient(y, x, unconnected_gradients="zero")
@prog
def g55(tf):
    x = tf.Variable(2.); z = tf.Variable([1.,2.])
    with tf.GradientTape() as t: y = x*x
    return t.gradient(y, z, unconnected_gradients="zero")
@prog
def g56(tf):
    x = tf.Variable(2.)
    with tf.GradientTape() as t: y = tf.math.round(x)
    return t.gradient(y, x)
@prog
def g57(tf):
    x = tf.Variable(2.)
    with tf.GradientTape() as t: y = tf.floor(x)
    return t.gradient(y, x)
@prog
def g58(tf):
    x = tf.Variable(2.)
    with tf.GradientTape() as t: y = tf.argmax([x, x*2])
    return t.gradient(y, x)
@prog
def g59(tf):
    x = tf.Variable([2., 3.])
    with tf.GradientTape() as t: y = tf.sign(x)
    return t.gradient(y, x)
@prog
def g60(tf):
    x = tf.Variable([2., 3.])
    with tf.GradientTape() as t: y = x // 2.
    return t.gradient(y, x)
@prog
def g61(tf):
    x = tf.Variable([2., 3.])
    with tf.GradientTape() as t: y = x % 2.
    return t.gradient(y, x)


def _run(lib, f):
    # NumPy's RuntimeWarnings (0 * inf in a gradient) are not what is compared here
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return f(lib)
        except Exception as e:  # noqa: BLE001  (the class is what is compared)
            return e


def assert_same(ours, theirs, name):
    if isinstance(theirs, BaseException) or isinstance(ours, BaseException):
        assert type(ours).__name__ == type(theirs).__name__, (name, ours, theirs)
        return
    if theirs is None:
        assert ours is None, (name, ours)
        return
    if isinstance(theirs, dict):
        assert sorted(ours) == sorted(theirs), name
        for k in theirs:
            assert_same(ours[k], theirs[k], name)
        return
    if isinstance(theirs, (list, tuple)):
        assert isinstance(ours, (list, tuple)) and len(ours) == len(theirs), (name, ours)
        for a, b in zip(ours, theirs):
            assert_same(a, b, name)
        return
    assert ours.dtype.name == theirs.dtype.name, (name, ours, theirs)
    assert tuple(ours.shape) == tuple(theirs.shape), (name, ours, theirs)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-5, atol=1e-6,
                               err_msg=name)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_same_gradients(rtf, name):
    f = PROGRAMS[name]
    ours, theirs = _run(tapeflow, f), _run(rtf, f)
    if type(theirs).__name__ == "IndexedSlices":
        ours, theirs = tapeflow.convert_to_tensor(ours), rtf.convert_to_tensor(theirs)
    assert_same(ours, theirs, name)
