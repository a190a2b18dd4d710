"""The N-D FFT ops behind ``tf.signal.fftnd``/``ifftnd``/``rfftnd``/``irfftnd`` (NumPy's
``numpy.fft``; complex64 from float32). Like the other FFTs, they record no gradient."""
from tapeflow.backend import xp as np  # the array namespace kernels use

from tapeflow.framework.op_def import ANY, defop

_RC = {"float32": np.complex64, "float64": np.complex128}
_CR = {"complex64": np.float32, "complex128": np.float64}


def _fftnd_np(x, lengths, axes, norm):
    return np.fft.fftn(x, s=lengths, axes=axes, norm=norm).astype(x.dtype)


def _ifftnd_np(x, lengths, axes, norm):
    return np.fft.ifftn(x, s=lengths, axes=axes, norm=norm).astype(x.dtype)


def _rfftnd_np(x, lengths, axes, norm):
    return np.fft.rfftn(x, s=lengths, axes=axes, norm=norm).astype(_RC[x.dtype.name])


def _irfftnd_np(x, lengths, axes, norm):
    return np.fft.irfftn(x, s=lengths, axes=axes, norm=norm).astype(_CR[x.dtype.name])


# ``op(x, lengths=, axes=, norm=)``; no gradient rule (TensorFlow's FFTs here record none);
# ANY: signal_more converts the input's dtype before calling.
fftnd_kernel = defop("FFTND", _fftnd_np, dtypes=ANY, kind="call")
ifftnd_kernel = defop("IFFTND", _ifftnd_np, dtypes=ANY, kind="call")
rfftnd_kernel = defop("RFFTND", _rfftnd_np, dtypes=ANY, kind="call")
irfftnd_kernel = defop("IRFFTND", _irfftnd_np, dtypes=ANY, kind="call")


__all__ = []
