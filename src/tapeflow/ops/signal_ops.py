"""The FFT ops behind ``tf.signal`` (NumPy's ``numpy.fft``), declared with ``defop``:
TensorFlow's op names and dtypes (complex64 from float32). Like ``tf.math.real``/``imag``,
they record no gradient."""
from tapeflow.backend import xp as np  # the array namespace kernels use

from tapeflow.framework.errors import InvalidArgumentError
from tapeflow.framework.op_def import COMPLEX, defop
from tapeflow.framework.tensor import convert_to_tensor


def complex_input(x, op):
    """Returns ``x`` as a complex Tensor; InvalidArgumentError (op ``op``) otherwise."""
    t = convert_to_tensor(x)
    if t.dtype.name not in ("complex64", "complex128"):
        raise InvalidArgumentError(
            None, op, f"Value for attr 'Tcomplex' of {t.dtype.name} is not in the list of "
            "allowed values: complex64, complex128")
    return t


def _cfft(name, fn, rank, inverse=False):
    op = defop(name, lambda x: fn(x, axes=tuple(range(-rank, 0))).astype(x.dtype),
               dtypes=COMPLEX, kind="call", attr="Tcomplex")

    def f(input, name=None):  # noqa: A002
        return op(input)
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


def _refuse(name, wants):
    """TensorFlow's Python layer checks the input dtype first, with a ValueError."""
    def fallback(x, **attrs):
        raise ValueError(f"{name} requires {wants} inputs, got: {x}")
    return fallback


def _rfft(x, lengths):
    return np.fft.rfftn(x, s=lengths, axes=tuple(range(-len(lengths), 0))).astype(
        _RC[x.dtype.name])


def _irfft(x, lengths):
    return np.fft.irfftn(x, s=lengths, axes=tuple(range(-len(lengths), 0))).astype(
        _CR[x.dtype.name])


rfft_kernel = defop("RFFT", _rfft, dtypes=("float", "double"), kind="call", attr="Treal",
                    fallback=_refuse("RFFT", "tf.float32 or tf.float64"))
irfft_kernel = defop("IRFFT", _irfft, dtypes=COMPLEX, kind="call", attr="Tcomplex",
                     fallback=_refuse("IRFFT", "tf.complex64 or tf.complex128"))


__all__ = []
