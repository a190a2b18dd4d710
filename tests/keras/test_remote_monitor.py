"""RemoteMonitor: posts each epoch's logs to a local HTTP server, as a form field or JSON;
an unreachable server warns."""
import http.server
import json
import threading
import urllib.parse

import numpy as np
import pytest

from tapeflow import keras


def _serve():
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Content-Type"], body.decode()))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, received


@pytest.mark.parametrize("as_json", [False, True])
def test_posts_epoch_logs(as_json):
    server, received = _serve()
    try:
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile("sgd", "mse")
        monitor = keras.callbacks.RemoteMonitor(
            root=f"http://127.0.0.1:{server.server_port}", send_as_json=as_json)
        model.fit(np.ones((4, 2), "float32"), np.zeros((4, 1), "float32"), epochs=2,
                  verbose=0, callbacks=[monitor])
    finally:
        server.shutdown()
        server.server_close()
    assert len(received) == 2 and received[0][0] == "/publish/epoch/end/"
    path, ctype, body = received[1]
    data = json.loads(body) if as_json else json.loads(
        urllib.parse.parse_qs(body)["data"][0])
    assert data["epoch"] == 1 and isinstance(data["loss"], float)
    assert ctype == ("application/json" if as_json else "application/x-www-form-urlencoded")


def test_unreachable_server_warns():
    monitor = keras.callbacks.RemoteMonitor(root="http://127.0.0.1:9")
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor"):
        monitor.on_epoch_end(0, {"loss": np.float32(1.0)})
