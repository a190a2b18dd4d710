"""The FFT ops behind ``tf.signal`` (NumPy's ``numpy.fft``; TensorFlow's dtypes: complex64
from float32). Like ``tf.math.real``/``imag``, they record no gradient."""
from tapeflow.backend import xp as np  # the array namespace kernels use

from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.primitive import primitive
from tapeflow.framework.tensor import convert_to_tensor


def complex_input(x, op):
    """Returns ``x`` as a complex Tensor; InvalidArgumentError (op ``op``) otherwise."""
    t = convert_to_tensor(x)
    if t.dtype.name not in ("complex64", "complex128"):
        raise InvalidArgumentError(None, op, f"Value for attr 'Tcomplex' of {t.dtype.name} is "
                                   "not in the list of allowed values: complex64, complex128")
    return t


def _cfft(name, fn, rank, inverse=False):
    op = primitive(name, differentiable=False)(
        lambda x: fn(x, axes=tuple(range(-rank, 0))).astype(x.dtype))

    def f(input, name=None):  # noqa: A002
        return op(complex_input(input, name or f.__name__))
    f.__name__ = name.lower()
    f.__doc__ = (f"Returns the {'inverse ' if inverse else ''}{rank}-D discrete Fourier "
                 "transform over the innermost dimensions of a complex tensor.")
    return f


fft = _cfft("FFT", np.fft.fftn, 1)
ifft = _cfft("IFFT", np.fft.ifftn, 1, True)
fft2d = _cfft("FFT2D", np.fft.fftn, 2)
ifft2d = _cfft("IFFT2D", np.fft.ifftn, 2, True)
fft3d = _cfft("FFT3D", np.fft.fftn, 3)
ifft3d = _cfft("IFFT3D", np.fft.ifftn, 3, True)

_RC = {"float32": np.complex64, "float64": np.complex128}
_CR = {"complex64": np.float32, "complex128": np.float64}


@primitive("RFFT", differentiable=False)
def rfft_kernel(x, lengths):
    return np.fft.rfftn(x, s=lengths, axes=tuple(range(-len(lengths), 0))).astype(
        _RC[x.dtype.name])


@primitive("IRFFT", differentiable=False)
def irfft_kernel(x, lengths):
    return np.fft.irfftn(x, s=lengths, axes=tuple(range(-len(lengths), 0))).astype(
        _CR[x.dtype.name])


__all__ = []
