"""The N-D FFT ops behind ``tf.signal.fftnd``/``ifftnd``/``rfftnd``/``irfftnd`` (NumPy's
``numpy.fft``; complex64 from float32). Like the other FFTs, they record no gradient."""
from tapeflow.backend import xp as np  # the array namespace kernels use

from tapeflow.framework.primitive import primitive

_RC = {"float32": np.complex64, "float64": np.complex128}
_CR = {"complex64": np.float32, "complex128": np.float64}


@primitive("FFTND", differentiable=False)
def fftnd_kernel(x, lengths, axes, norm):
    return np.fft.fftn(x, s=lengths, axes=axes, norm=norm).astype(x.dtype)


@primitive("IFFTND", differentiable=False)
def ifftnd_kernel(x, lengths, axes, norm):
    return np.fft.ifftn(x, s=lengths, axes=axes, norm=norm).astype(x.dtype)


@primitive("RFFTND", differentiable=False)
def rfftnd_kernel(x, lengths, axes, norm):
    return np.fft.rfftn(x, s=lengths, axes=axes, norm=norm).astype(_RC[x.dtype.name])


@primitive("IRFFTND", differentiable=False)
def irfftnd_kernel(x, lengths, axes, norm):
    return np.fft.irfftn(x, s=lengths, axes=axes, norm=norm).astype(_CR[x.dtype.name])


__all__ = []
