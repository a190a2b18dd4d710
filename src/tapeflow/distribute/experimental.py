"""``tf.distribute.experimental``: communication options and strategy aliases."""
from tapeflow.distribute.distribute_lib import ValueContext  # noqa: F401
from tapeflow.distribute.strategies import (  # noqa: F401
    CollectiveAllReduceStrategy as MultiWorkerMirroredStrategy, CollectiveCommunication,
    CommunicationImplementation, CommunicationOptions)

__all__ = ["MultiWorkerMirroredStrategy", "CollectiveCommunication",
           "CommunicationImplementation", "CommunicationOptions", "ValueContext"]
